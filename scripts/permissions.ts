/**
 * The permissions each tool runs with: the same list for `deno run`, for the
 * tests that run the entrypoints, and for `deno compile`, which embeds it.
 *
 * @module
 */

/**
 * The sender: UDP, ffmpeg as a child process, four environment variables
 * (FFMPEG, UDPCAM_KEY, and the two imagescript reads to choose its codecs),
 * the host name (its default name and the overlay's `{host}`) and the network
 * interfaces (the addresses receivers connect to, which it prints), file reads for
 * the key file, the font and imagescript's codecs, writes for `--sdp FILE`,
 * and FFI for imagescript's native JPEG encoder, libcrypto (sealing) and libc
 * (the system's UDP socket).
 */
export const SENDER_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-run",
  "--allow-env=FFMPEG,UDPCAM_KEY,IMAGESCRIPT_WASM_SIMD,CODECS_FORCE_WASM",
  "--allow-sys=hostname,networkInterfaces",
  "--allow-read",
  "--allow-write",
  "--allow-ffi",
];

/**
 * The receiver: UDP and the HTTP preview; ffmpeg for `--record` and the
 * system's opener for `--open` as child processes; the key from UDPCAM_KEY or
 * a file; the user's config folder (HOME, XDG_CONFIG_HOME, APPDATA) for the
 * preview's token; the network interfaces (its preview's URLs from other
 * machines); writes for the recording and the token; and imagescript (its codec choice from
 * the environment, its native JPEG encoder through FFI) for the "no signal"
 * frame; FFI also for libcrypto (sealing) and libc (the system's UDP socket).
 */
export const RECEIVER_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-run",
  "--allow-env=FFMPEG,UDPCAM_KEY,IMAGESCRIPT_WASM_SIMD,CODECS_FORCE_WASM,HOME,XDG_CONFIG_HOME,APPDATA",
  "--allow-sys=networkInterfaces",
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
 * What the sender runs with besides: every function compiled as its module
 * loads (`--no-lazy`), before the socket opens, not on its first call, which
 * for the sending path comes all at once as the stream starts. In 4 cold
 * starts each way at 1080p, clear and sealed, the sender's worst event-loop
 * turn read 5.3 to 17.6 ms (mean 11.8) with it, against 11.8 to 32.7 ms (mean
 * 19.2) without; the CPU a frame and the fps of the first 5 s did not change
 * beyond noise (docs/BENCH.md). It costs
 * the sender about 90 ms more to start. Not the receiver: its worst turn did
 * not change (mean 16.5 against 16.8 ms), and starting later it joined a
 * sender started with it up to 210 ms after the sender's first frame, where
 * 150 ms is the aim.
 */
export const SENDER_RUNTIME_FLAGS: readonly string[] = [...RUNTIME_FLAGS, "--v8-flags=--no-lazy"];

/** Each tool's permissions and runtime flags, by name. */
export const TOOL_FLAGS = {
  sender: { permissions: SENDER_PERMISSIONS, runtime: SENDER_RUNTIME_FLAGS },
  receiver: { permissions: RECEIVER_PERMISSIONS, runtime: RUNTIME_FLAGS },
} as const;

/**
 * `deno run`'s arguments before the script, for code that runs as `tool`
 * does: quiet, with the unstable flags and the tool's runtime flags and
 * permissions.
 */
export function runArgs(tool: keyof typeof TOOL_FLAGS): string[] {
  const { permissions, runtime } = TOOL_FLAGS[tool];
  return ["run", "--quiet", ...UNSTABLE_FLAGS, ...runtime, ...permissions];
}
