/**
 * Capture: the sources that make JPEG frames (a camera, a file or URL through ffmpeg, or the
 * built-in test pattern), and how ffmpeg's output is cut into frames.
 *
 * May import: `ffmpeg`, `hub`, `image`, `overlay`, `util`. `tests/layers_test.ts` holds it to
 * that.
 *
 * @module
 */
export * from "./camera_list.ts";
export * from "./ffmpeg_args.ts";
export * from "./ffmpeg_source.ts";
export * from "./frame_source.ts";
export * from "./jpeg_splitter.ts";
export * from "./source_spec.ts";
export * from "./test_pattern.ts";
export * from "./test_pattern_painter.ts";
