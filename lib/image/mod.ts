/**
 * JPEG inspection (markers, dimensions), the standard Huffman tables put into a JPEG that lacks
 * them, and text drawn into pixels with the bundled font.
 *
 * May import: nothing but its own files. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./draw_text.ts";
export * from "./font_file.ts";
export * from "./jpeg_dimensions.ts";
export * from "./jpeg_markers.ts";
export * from "./standard_huffman_tables.ts";
export * from "./with_huffman_tables.ts";
