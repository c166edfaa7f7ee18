/**
 * Recording: the frames written to Matroska segments through ffmpeg, in a folder kept within its
 * bounds.
 *
 * May import: `cli`, `ffmpeg`, `hub`, `util`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./matroska.ts";
export * from "./record_args.ts";
export * from "./record_folder.ts";
export * from "./record_stream.ts";
export * from "./record_timeline.ts";
export * from "./recorder.ts";
export * from "./recorder_event.ts";
export * from "./recorder_options.ts";
export * from "./segment_clock.ts";
