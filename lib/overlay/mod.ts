/**
 * The overlay: its text and layout, drawn in process on the test pattern or handed to ffmpeg as a
 * drawtext filter.
 *
 * May import: `image`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./drawtext_filter.ts";
export * from "./overlay_layout.ts";
export * from "./overlay_painter.ts";
export * from "./overlay_text.ts";
