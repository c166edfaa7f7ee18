import { DHT, EOI, RST0, RST7, SOF0, SOI, SOS, TEM } from "./jpeg_markers.ts";
import { standardHuffmanSegment } from "./standard_huffman_tables.ts";

/** Extended sequential Huffman coding, 8-bit: it uses the same tables as baseline. */
const SOF1 = 0xc1;

let segment: Uint8Array | undefined;

/**
 * `jpeg` with the standard Huffman tables (T.81 Annex K.3) put in before its
 * scan if it defines none: many webcams' MJPEG leaves them out, and Safari
 * shows nothing for such a JPEG. Anything else (tables already there, an
 * arithmetic-coded or progressive frame, a JPEG cut short or malformed) is
 * returned as it is, the same array.
 *
 * @example
 * ```ts
 * import { withHuffmanTables } from "./with_huffman_tables.ts";
 * const fixed = withHuffmanTables(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
 * ```
 */
export function withHuffmanTables<T extends ArrayBufferLike>(
  jpeg: Uint8Array<T>,
): Uint8Array<T | ArrayBuffer> {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== SOI) return jpeg;
  let pos = 2;
  let huffmanFrame = false;
  while (pos + 3 < jpeg.length) {
    if (jpeg[pos] !== 0xff) return jpeg;
    const code = jpeg[pos + 1];
    if (code === 0xff) {
      pos += 1;
      continue;
    }
    if (code === TEM || (code >= RST0 && code <= RST7)) {
      pos += 2;
      continue;
    }
    if (code === DHT || code === SOI || code === EOI) return jpeg;
    if (code === SOS) {
      if (!huffmanFrame) return jpeg;
      segment ??= standardHuffmanSegment();
      const out = new Uint8Array(jpeg.length + segment.length);
      out.set(jpeg.subarray(0, pos));
      out.set(segment, pos);
      out.set(jpeg.subarray(pos), pos + segment.length);
      return out;
    }
    if (code === SOF0 || code === SOF1) huffmanFrame = true;
    const length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
    if (length < 2) return jpeg;
    pos += 2 + length;
  }
  return jpeg;
}
