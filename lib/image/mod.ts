/**
 * JPEG inspection (markers, dimensions) and text drawn into pixels with the bundled font.
 *
 * May import: nothing but its own files. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./draw_text.ts";
export * from "./font_file.ts";
export * from "./jpeg_dimensions.ts";
export * from "./jpeg_markers.ts";
