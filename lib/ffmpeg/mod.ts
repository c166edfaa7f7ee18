/**
 * ffmpeg as a child process: running it (its output, the tail of its stderr, a stop that leaves
 * nothing behind) and the pauses before starting it again, what build it is, the hint to install
 * it, and what it can draw.
 *
 * May import: `util`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./ffmpeg_build.ts";
export * from "./ffmpeg_not_found_error.ts";
export * from "./ffmpeg_path.ts";
export * from "./ffmpeg_process.ts";
export * from "./ffmpeg_run.ts";
export * from "./install_hint.ts";
export * from "./overlay_support.ts";
export * from "./probe_video_codec.ts";
export * from "./restart_backoff.ts";
export * from "./source_error.ts";
