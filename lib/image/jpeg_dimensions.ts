import { DAC, DHT, EOI, JPG, RST0, RST7, SOF0, SOF15, SOI, SOS, TEM } from "./jpeg_markers.ts";

/**
 * Size of a JPEG image, in pixels.
 */
export interface JpegDimensions {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

// A JPEG is a list of marker segments. Every marker but SOI, EOI, RSTn and TEM carries a length
// that counts itself but not the marker:
//
//  +------+------+------+------+-----------------------------+
//  | 0xFF | code | length (BE) | length - 2 bytes of payload |
//  +------+------+------+------+-----------------------------+
//
// A start-of-frame (SOF) payload begins with the image size:
//
//  +-----------+------------+-----------+----------------+
//  | precision | height (BE)| width (BE)| components ... |
//  +-----------+------------+-----------+----------------+

/** Offsets from a marker's 0xFF. */
const MARKER_LENGTH_OFFSET = 2;
const SOF_HEIGHT_OFFSET = 5;
const SOF_WIDTH_OFFSET = 7;
/** Bytes of an SOF from its 0xFF to the end of the width. */
const SOF_SIZE_END = 9;

/**
 * Reads the width and height of a JPEG from its start-of-frame segment, walking the marker
 * segments from SOI. Every length is checked before it is read.
 *
 * @param jpeg A JPEG image, or at least its header.
 * @returns The size, or `undefined` if the data is not a JPEG, is cut short before the frame
 * header, or declares a zero size.
 */
export function jpegDimensions(jpeg: Uint8Array): JpegDimensions | undefined {
  if (jpeg.length < 2 || jpeg[0] !== 0xff || jpeg[1] !== SOI) return undefined;
  let pos = 2;
  while (pos + 1 < jpeg.length) {
    if (jpeg[pos] !== 0xff) return undefined;
    const code = jpeg[pos + 1];
    if (code === 0xff) {
      pos += 1; // fill byte before a marker
      continue;
    }
    if (code === TEM || (code >= RST0 && code <= RST7)) {
      pos += 2;
      continue;
    }
    if (code === SOI || code === EOI || code === SOS) return undefined;
    if (pos + MARKER_LENGTH_OFFSET + 2 > jpeg.length) return undefined;
    const length = readUint16(jpeg, pos + MARKER_LENGTH_OFFSET);
    if (length < 2) return undefined;
    if (isStartOfFrame(code)) {
      if (pos + SOF_SIZE_END > jpeg.length || length < SOF_SIZE_END - MARKER_LENGTH_OFFSET) {
        return undefined;
      }
      const height = readUint16(jpeg, pos + SOF_HEIGHT_OFFSET);
      const width = readUint16(jpeg, pos + SOF_WIDTH_OFFSET);
      return width > 0 && height > 0 ? { width, height } : undefined;
    }
    pos += MARKER_LENGTH_OFFSET + length;
  }
  return undefined;
}

function isStartOfFrame(code: number): boolean {
  return code >= SOF0 && code <= SOF15 && code !== DHT && code !== JPG && code !== DAC;
}

function readUint16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] << 8) | bytes[offset + 1];
}
