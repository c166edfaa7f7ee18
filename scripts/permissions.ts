/**
 * The permissions each tool runs with: the same list for `deno run`, for the
 * tests that run the entrypoints, and for `deno compile`, which embeds it.
 *
 * @module
 */

/**
 * The sender: UDP, ffmpeg as a child process, three environment variables
 * (FFMPEG, and the two imagescript reads to choose its codecs), file reads for
 * the font and imagescript's codecs, and FFI for imagescript's native JPEG
 * encoder.
 */
export const SENDER_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-run",
  "--allow-env=FFMPEG,IMAGESCRIPT_WASM_SIMD,CODECS_FORCE_WASM",
  "--allow-read",
  "--allow-ffi",
];

/** The receiver: UDP and the HTTP preview. */
export const RECEIVER_PERMISSIONS: readonly string[] = ["--allow-net"];

/** The unstable APIs both need: `Deno.listenDatagram`. */
export const UNSTABLE_FLAGS: readonly string[] = ["--unstable-net"];
