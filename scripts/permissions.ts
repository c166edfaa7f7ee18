/**
 * The permissions each tool runs with: the same list for `deno run`, for the
 * tests that run the entrypoints, and for `deno compile`, which embeds it.
 *
 * @module
 */

/** The sender: UDP, ffmpeg as a child process, FFMPEG from the environment, the font file, and imagescript's native JPEG encoder. */
export const SENDER_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-run",
  "--allow-env",
  "--allow-read",
  "--allow-ffi",
];

/** The receiver: UDP and the HTTP preview. */
export const RECEIVER_PERMISSIONS: readonly string[] = ["--allow-net"];

/** The unstable APIs both need: `Deno.listenDatagram`. */
export const UNSTABLE_FLAGS: readonly string[] = ["--unstable-net"];
