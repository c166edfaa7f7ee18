import { DHT, EOI, SOF0, SOI, SOS } from "../image/jpeg_markers.ts";
import { STANDARD_HUFFMAN_TABLES } from "../image/standard_huffman_tables.ts";

/** Define quantization tables. */
const DQT = 0xdb;
/** Define restart interval. */
const DRI = 0xdd;
/** RTP's fixed header. */
const RTP_HEADER = 12;
/** RFC 2435's main header, its restart header, and its quantization table header with two tables. */
const MAIN_HEADER = 8;
const RESTART_HEADER = 4;
const QTABLE_HEADER = 4 + 128;
/** The largest side RTP/JPEG's header can give: 255 blocks of 8. */
export const RTP_JPEG_MAX_SIDE = 2040;

/** Why a JPEG cannot go as RTP/JPEG, in words that say what to do. */
export class RtpJpegError extends Error {
  override name = "RtpJpegError";
}

/** What RFC 2435 needs of a JPEG, read from its headers. */
export interface RtpJpegImage {
  /** 0 for 4:2:2, 1 for 4:2:0; 64 is added where there are restart markers. */
  type: number;
  width: number;
  height: number;
  /** Luminance then chrominance, zigzag order: 128 bytes (one table is sent twice). */
  quantTables: Uint8Array;
  restartInterval: number;
  /** The entropy-coded data, without the EOI. */
  scan: Uint8Array;
}

/**
 * Reads what RFC 2435 carries of a baseline JPEG: its type, size,
 * quantization tables, restart interval and scan.
 *
 * @throws {RtpJpegError} For a JPEG RFC 2435 cannot carry: not baseline, not
 * three components sampled 4:2:0 or 4:2:2 (luma 2x2 or 2x1, chroma 1x1),
 * 16-bit tables, or Huffman tables other than the standard ones.
 */
export function readRtpJpegImage(jpeg: Uint8Array): RtpJpegImage {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== SOI) {
    throw new RtpJpegError("not a JPEG");
  }
  const tables: (Uint8Array | undefined)[] = [];
  let restartInterval = 0;
  let frame:
    | { type: number; width: number; height: number; lumaTable: number; chromaTable: number }
    | undefined;
  let pos = 2;
  while (pos + 3 < jpeg.length) {
    if (jpeg[pos] !== 0xff) throw new RtpJpegError("a JPEG header that is cut or malformed");
    const code = jpeg[pos + 1];
    if (code === 0xff) {
      pos++;
      continue;
    }
    const length = (jpeg[pos + 2] << 8) | jpeg[pos + 3];
    const body = jpeg.subarray(pos + 4, pos + 2 + length);
    if (length < 2 || body.length !== length - 2) {
      throw new RtpJpegError("a JPEG header that is cut or malformed");
    }
    if (code === SOS) {
      if (frame === undefined) throw new RtpJpegError("a JPEG with no frame header");
      let end = jpeg.length;
      if (jpeg[end - 2] === 0xff && jpeg[end - 1] === EOI) end -= 2;
      const luma = tables[frame.lumaTable];
      const chroma = tables[frame.chromaTable];
      if (luma === undefined || chroma === undefined) {
        throw new RtpJpegError("a JPEG whose quantization tables are missing");
      }
      const quantTables = new Uint8Array(128);
      quantTables.set(luma);
      quantTables.set(chroma, 64);
      return {
        type: frame.type | (restartInterval > 0 ? 64 : 0),
        width: frame.width,
        height: frame.height,
        quantTables,
        restartInterval,
        scan: jpeg.subarray(pos + 2 + length, end),
      };
    }
    if (code === DQT) readQuantTables(body, tables);
    else if (code === DRI) restartInterval = (body[0] << 8) | body[1];
    else if (code === DHT) checkStandardHuffman(body);
    else if (code === SOF0) frame = readFrame(body);
    else if (code >= 0xc1 && code <= 0xcf && code !== 0xc8 && code !== 0xcc) {
      throw new RtpJpegError("RTP/JPEG carries baseline JPEG only, and this one is not");
    }
    pos += 2 + length;
  }
  throw new RtpJpegError("a JPEG with no scan");
}

function readQuantTables(body: Uint8Array, tables: (Uint8Array | undefined)[]): void {
  for (let at = 0; at < body.length;) {
    const precision = body[at] >> 4;
    const id = body[at] & 0x0f;
    if (precision !== 0) throw new RtpJpegError("RTP/JPEG carries 8-bit quantization tables only");
    if (id > 3 || at + 65 > body.length) throw new RtpJpegError("a malformed quantization table");
    tables[id] = body.slice(at + 1, at + 65);
    at += 65;
  }
}

function readFrame(body: Uint8Array) {
  const height = (body[1] << 8) | body[2];
  const width = (body[3] << 8) | body[4];
  const components = body[5];
  if (body[0] !== 8 || components !== 3 || body.length < 6 + 9) {
    throw new RtpJpegError("RTP/JPEG carries 8-bit colour JPEG (three components) only");
  }
  const luma = body[7];
  const [cb, cr] = [body[10], body[13]];
  if ((luma !== 0x21 && luma !== 0x22) || cb !== 0x11 || cr !== 0x11 || body[11] !== body[14]) {
    throw new RtpJpegError(
      "RTP/JPEG carries 4:2:0 and 4:2:2 (luma 2x2 or 2x1, chroma 1x1) only; " +
        "encode with -pix_fmt yuvj420p",
    );
  }
  return { type: luma === 0x21 ? 0 : 1, width, height, lumaTable: body[8], chromaTable: body[11] };
}

/** Throws unless every table `body` defines is the standard one of its class and id. */
function checkStandardHuffman(body: Uint8Array): void {
  for (let at = 0; at < body.length;) {
    const tableClass = body[at] >> 4;
    const id = body[at] & 0x0f;
    const counts = body.subarray(at + 1, at + 17);
    const total = counts.reduce((sum, count) => sum + count, 0);
    const symbols = body.subarray(at + 17, at + 17 + total);
    const standard = STANDARD_HUFFMAN_TABLES.find((t) =>
      t.tableClass === tableClass && t.id === id
    );
    if (
      standard === undefined || symbols.length !== total ||
      !standard.counts.every((count, i) => count === counts[i]) ||
      !standard.symbols.every((symbol, i) => symbol === symbols[i])
    ) {
      throw new RtpJpegError(
        "RTP/JPEG needs the standard Huffman tables, and this JPEG has its own; " +
          "ffmpeg writes them with -huffman default",
      );
    }
    at += 17 + total;
  }
}

/** Options for an {@linkcode RtpJpegPacketizer}. */
export interface RtpJpegPacketizerOptions {
  /** The largest RTP packet, RTP header included. */
  mtu: number;
  /** @default {26} RTP/JPEG's static payload type */
  payloadType?: number;
  /** @default {random} */
  ssrc?: number;
}

/**
 * Cuts JPEGs into RTP/JPEG packets (RFC 2435): the tables in band in each
 * frame's first packet (Q 255), restart markers as types 64 and 65 with a
 * restart header in each packet, a size over 2040 pixels as 0 (for SDP's
 * `x-dimensions`), the marker bit on each frame's last packet.
 */
export class RtpJpegPacketizer {
  readonly ssrc: number;
  #mtu: number;
  #payloadType: number;
  #sequence: number;

  constructor(options: RtpJpegPacketizerOptions) {
    const random = crypto.getRandomValues(new Uint32Array(2));
    this.ssrc = options.ssrc ?? random[0];
    this.#sequence = random[1] & 0xffff;
    this.#payloadType = options.payloadType ?? 26;
    this.#mtu = options.mtu;
    if (this.#mtu < RTP_HEADER + MAIN_HEADER + RESTART_HEADER + QTABLE_HEADER + 64) {
      throw new RangeError(`An RTP/JPEG MTU of ${this.#mtu} leaves no room for data`);
    }
  }

  /**
   * The RTP packets of `jpeg`, stamped `timestamp` (90 kHz).
   *
   * @throws {RtpJpegError} For a JPEG RFC 2435 cannot carry (see {@linkcode readRtpJpegImage}).
   */
  packetize(jpeg: Uint8Array, timestamp: number): Uint8Array[] {
    const image = readRtpJpegImage(jpeg);
    const { scan, type, restartInterval, quantTables } = image;
    const width = image.width > RTP_JPEG_MAX_SIDE ? 0 : Math.ceil(image.width / 8);
    const height = image.height > RTP_JPEG_MAX_SIDE ? 0 : Math.ceil(image.height / 8);
    const restart = type >= 64;
    const packets: Uint8Array[] = [];
    let offset = 0;
    do {
      const first = offset === 0;
      const head = MAIN_HEADER + (restart ? RESTART_HEADER : 0) + (first ? QTABLE_HEADER : 0);
      const length = Math.min(scan.length - offset, this.#mtu - RTP_HEADER - head);
      const last = offset + length >= scan.length;
      const packet = new Uint8Array(RTP_HEADER + head + length);
      const view = new DataView(packet.buffer);
      packet[0] = 0x80;
      packet[1] = (last ? 0x80 : 0) | this.#payloadType;
      view.setUint16(2, this.#sequence);
      view.setUint32(4, timestamp >>> 0);
      view.setUint32(8, this.ssrc);
      this.#sequence = (this.#sequence + 1) & 0xffff;
      let at = RTP_HEADER;
      view.setUint32(at, offset); // type-specific 0, then the 24-bit offset
      packet.set([type, 255, width, height], at + 4);
      at += MAIN_HEADER;
      if (restart) {
        // Whole packets of restart intervals are not promised: F and L set, count 0x3FFF.
        view.setUint16(at, restartInterval);
        view.setUint16(at + 2, 0xffff);
        at += RESTART_HEADER;
      }
      if (first) {
        view.setUint32(at, 128); // MBZ, precision 0, length 128
        packet.set(quantTables, at + 4);
        at += QTABLE_HEADER;
      }
      packet.set(scan.subarray(offset, offset + length), at);
      packets.push(packet);
      offset += length;
    } while (offset < scan.length);
    return packets;
  }
}
