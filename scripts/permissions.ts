/**
 * The permissions each tool runs with: the same list for `deno run`, for the
 * tests that run the entrypoints, and for `deno compile`, which embeds it.
 *
 * @module
 */

/**
 * The sender: UDP, ffmpeg as a child process, four environment variables
 * (FFMPEG, UDPCAM_KEY, and the two imagescript reads to choose its codecs),
 * the host name (its default name and the overlay's `{host}`), file reads for
 * the key file, the font and imagescript's codecs, and FFI for imagescript's
 * native JPEG encoder.
 */
export const SENDER_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-run",
  "--allow-env=FFMPEG,UDPCAM_KEY,IMAGESCRIPT_WASM_SIMD,CODECS_FORCE_WASM",
  "--allow-sys=hostname",
  "--allow-read",
  "--allow-ffi",
];

/**
 * The receiver: UDP and the HTTP preview; ffmpeg for `--record` and the
 * system's opener for `--open` as child processes; the key from UDPCAM_KEY or
 * a file; writes for the recording; and imagescript (its codec choice from
 * the environment, its native JPEG encoder through FFI) for the "no signal"
 * frame.
 */
export const RECEIVER_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-run",
  "--allow-env=FFMPEG,UDPCAM_KEY,IMAGESCRIPT_WASM_SIMD,CODECS_FORCE_WASM",
  "--allow-read",
  "--allow-write",
  "--allow-ffi",
];

/** The unstable APIs both need: `Deno.listenDatagram`. */
export const UNSTABLE_FLAGS: readonly string[] = ["--unstable-net"];

/**
 * What both tools run with besides: no V8 code cache. On a first run (a new
 * install, or the tools at a new path) the cache is written on the main
 * thread while the tool starts streaming: in fresh copies of the tools that
 * held the sender's event loop 27 and 50 ms, against 9 to 12 ms without it,
 * and no run started slower without it.
 */
export const RUNTIME_FLAGS: readonly string[] = ["--no-code-cache"];

/**
 * `deno run`'s arguments before the script, for code that runs as a tool
 * does: quiet, with the unstable and runtime flags and `permissions`.
 */
export function runArgs(permissions: readonly string[]): string[] {
  return ["run", "--quiet", ...UNSTABLE_FLAGS, ...RUNTIME_FLAGS, ...permissions];
}
