import { SOF0, SOI, SOS } from "../image/jpeg_markers.ts";
import { standardHuffmanSegment } from "../image/standard_huffman_tables.ts";

/** Define quantization tables. */
const DQT = 0xdb;
/** Define restart interval. */
const DRI = 0xdd;
/** The JFIF application segment. */
const APP0 = 0xe0;

/** What an RTP/JPEG frame says of its image: enough to rebuild the JPEG headers it leaves out. */
export interface JpegHeaderOptions {
  /** RFC 2435's type without its restart bit: 0 for 4:2:2, 1 for 4:2:0. */
  type: 0 | 1;
  /** In pixels: RTP/JPEG gives 8 times its width and height fields. */
  width: number;
  height: number;
  /** One table (64 bytes, used by all three components) or two (128: luminance, chrominance), zigzag order. */
  quantTables: Uint8Array;
  /** MCUs between restart markers; 0 for none. */
  restartInterval: number;
}

/**
 * The headers of a baseline JPEG, from its start (SOI) to the end of its scan
 * header (SOS): what goes before an RTP/JPEG frame's entropy-coded data to
 * make a JPEG any decoder reads, as RFC 2435 section 3.1 and its Appendix B
 * describe. The Huffman tables are the standard ones (the only ones RFC 2435
 * allows).
 *
 * @throws {RangeError} For tables that are not 64 or 128 bytes, or a size out of range.
 */
export function buildJpegHeader(options: JpegHeaderOptions): Uint8Array {
  const { type, width, height, quantTables, restartInterval } = options;
  if (quantTables.length !== 64 && quantTables.length !== 128) {
    throw new RangeError(`Quantization tables must be 64 or 128 bytes, got ${quantTables.length}`);
  }
  if (!(width > 0 && width <= 0xffff && height > 0 && height <= 0xffff)) {
    throw new RangeError(`A JPEG's size is 1 to 65535 pixels a side, got ${width}x${height}`);
  }
  const tables = quantTables.length / 64;
  const out: number[] = [0xff, SOI];
  const segment = (marker: number, body: ArrayLike<number>) => {
    out.push(0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff);
    for (let i = 0; i < body.length; i++) out.push(body[i]);
  };
  // JFIF 1.2, no thumbnail, square pixels.
  segment(APP0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 0, 0, 1, 0, 1, 0, 0]);
  if (restartInterval > 0) segment(DRI, [restartInterval >> 8, restartInterval & 0xff]);
  const dqt: number[] = [];
  for (let t = 0; t < tables; t++) dqt.push(t, ...quantTables.subarray(t * 64, t * 64 + 64));
  segment(DQT, dqt);
  out.push(...standardHuffmanSegment());
  const chromaTable = tables === 2 ? 1 : 0;
  segment(SOF0, [
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    3,
    // Y: 2x1 blocks an MCU for 4:2:2, 2x2 for 4:2:0.
    1,
    type === 0 ? 0x21 : 0x22,
    0,
    2,
    0x11,
    chromaTable,
    3,
    0x11,
    chromaTable,
  ]);
  // Y with tables 0, Cb and Cr with tables 1; the whole spectrum, no approximation.
  segment(SOS, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
  return Uint8Array.from(out);
}
