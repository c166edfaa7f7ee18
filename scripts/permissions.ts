/**
 * The permissions each tool runs with: the same list for `deno run`, for the
 * tests that run the entrypoints, and for `deno compile`, which embeds it.
 *
 * @module
 */

/**
 * The sender: UDP, ffmpeg as a child process, four environment variables
 * (FFMPEG, UDPCAM_KEY, and the two imagescript reads to choose its codecs),
 * file reads for the key file, the font and imagescript's codecs, and FFI for
 * imagescript's native JPEG encoder.
 */
export const SENDER_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-run",
  "--allow-env=FFMPEG,UDPCAM_KEY,IMAGESCRIPT_WASM_SIMD,CODECS_FORCE_WASM",
  "--allow-read",
  "--allow-ffi",
];

/** The receiver: UDP, the HTTP preview, and the key from UDPCAM_KEY or a file. */
export const RECEIVER_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-env=UDPCAM_KEY",
  "--allow-read",
];

/** The unstable APIs both need: `Deno.listenDatagram`. */
export const UNSTABLE_FLAGS: readonly string[] = ["--unstable-net"];
