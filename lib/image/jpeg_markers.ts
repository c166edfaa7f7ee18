/**
 * JPEG marker codes (the byte after 0xFF), as ITU T.81 names them.
 *
 * @module
 */

/** Start of image. */
export const SOI = 0xd8;
/** End of image. */
export const EOI = 0xd9;
/** Start of scan: entropy-coded data follows its header. */
export const SOS = 0xda;
/** A marker with no length, for arithmetic coding. */
export const TEM = 0x01;
/** The first restart marker; restart markers carry no length. */
export const RST0 = 0xd0;
/** The last restart marker. */
export const RST7 = 0xd7;
/** The first start-of-frame marker (baseline). */
export const SOF0 = 0xc0;
/** The last start-of-frame marker. */
export const SOF15 = 0xcf;
/** Define Huffman table: in the SOF range, but not a frame. */
export const DHT = 0xc4;
/** JPEG extensions: in the SOF range, but not a frame. */
export const JPG = 0xc8;
/** Define arithmetic coding: in the SOF range, but not a frame. */
export const DAC = 0xcc;
