import { buildJpegHeader } from "./jpeg_header.ts";
import { quantTablesForQ } from "./quant_tables.ts";
import type { RtpPacket } from "./rtp_packet.ts";

/** A JPEG rebuilt from RTP/JPEG packets. */
export interface RtpJpegFrame {
  /** The whole JPEG, headers rebuilt. */
  data: Uint8Array<ArrayBuffer>;
  /** The frame's RTP timestamp (90 kHz). */
  timestamp: number;
  ssrc: number;
}

/** What the depacketizer has seen. */
export interface RtpJpegCounters {
  /** JPEGs rebuilt whole. */
  frames: number;
  /** Frames given up on: a packet lost, or pushed out by newer ones. */
  framesDropped: number;
  /** Packets that could not be used (malformed, an unsupported type, tables not known). */
  packetsRejected: number;
  /** Packets of a frame already given out or given up on: late, or replayed. */
  packetsLate: number;
  /** Packets of another source (SSRC) than the one whose frames are being given out. */
  packetsOtherSource: number;
}

/** Options for an {@linkcode RtpJpegDepacketizer}. */
export interface RtpJpegOptions {
  /**
   * The size, for frames whose header says 0 (over 2040 pixels, which RTP/JPEG's
   * header cannot give; SDP's `a=x-dimensions`).
   *
   * @default {undefined} such frames are dropped
   */
  size?: { width: number; height: number };
  /**
   * Frames put together at once: packets of an older frame may still come
   * in while a newer one starts (reordering), up to this many.
   *
   * @default {4}
   */
  maxPending?: number;
  /**
   * The largest frame taken, in bytes; a frame that says it is larger is dropped.
   *
   * @default {8 << 20}
   */
  maxFrameBytes?: number;
  /**
   * The most packets a frame is put together from; past it, the frame is
   * dropped. Senders fill their packets: this bounds what tiny fragments cost.
   *
   * @default {8192}
   */
  maxPackets?: number;
  /**
   * How long the source whose frames are given out may be silent before
   * another SSRC's are taken, in ms: a restarted sender comes with a new SSRC,
   * and packets with made-up ones must not push its frames out meanwhile.
   *
   * @default {2000}
   */
  switchAfterMs?: number;
}

/** What RFC 2435's first packet of a frame says of the image. */
interface FrameHeader {
  type: 0 | 1;
  width: number;
  height: number;
  quantTables: Uint8Array;
  restartInterval: number;
}

interface PartialFrame {
  ssrc: number;
  timestamp: number;
  /** Each fragment's bytes by its offset in the scan data. */
  fragments: Map<number, Uint8Array>;
  bytes: number;
  header?: FrameHeader;
  /** Where the scan data ends: known once the packet with the marker bit came. */
  end?: number;
}

/**
 * Puts RTP/JPEG (RFC 2435) packets back together into JPEGs: types 0 and 1
 * (4:2:2 and 4:2:0) and, with restart markers, 64 and 65; Q 1 to 99 (tables
 * from the RFC), and 128 to 255 (tables in band, or for 128 to 254 as last
 * sent for that Q). Packets may come in any order within the last
 * `maxPending` frames; a frame is given out once every byte up to its last
 * packet's has come, and dropped (counted) if a newer frame is given out
 * first or it is pushed out of the window, so no frame with a hole is ever
 * given out. Packets of a frame at or before the last one given out (same
 * SSRC) are late or replayed: counted and not used, so no frame is given out
 * twice. Once a source's frame is given out, other sources' packets are not
 * used until it has been silent `switchAfterMs`. Hand-written: no package
 * does RFC 2435.
 */
export class RtpJpegDepacketizer {
  readonly counters: RtpJpegCounters = {
    frames: 0,
    framesDropped: 0,
    packetsRejected: 0,
    packetsLate: 0,
    packetsOtherSource: 0,
  };
  #size: RtpJpegOptions["size"];
  #maxPending: number;
  #maxFrameBytes: number;
  #maxPackets: number;
  /** Oldest first. */
  #pending: PartialFrame[] = [];
  /** In-band tables sent once and then named by their Q (128 to 254). */
  #tables = new Map<number, Uint8Array>();
  /** The last frame given out, and when: packets of it or of one before it are late. */
  #last: { ssrc: number; timestamp: number; at: number } | undefined;
  #switchAfterMs: number;

  constructor(options: RtpJpegOptions = {}) {
    const size = options.size;
    if (size !== undefined && !(isSide(size.width) && isSide(size.height))) {
      throw new RangeError(`A JPEG is 1 to 65535 pixels a side, got ${size.width}x${size.height}`);
    }
    this.#size = size;
    this.#maxPending = options.maxPending ?? 4;
    this.#maxFrameBytes = options.maxFrameBytes ?? 8 << 20;
    this.#maxPackets = options.maxPackets ?? 8192;
    this.#switchAfterMs = options.switchAfterMs ?? 2000;
  }

  /**
   * Takes in one packet, at `now` (ms, any clock that only goes forward);
   * returns the JPEG it completes, if it completes one.
   */
  push(packet: RtpPacket, now: number = performance.now()): RtpJpegFrame | undefined {
    const last = this.#last;
    if (last !== undefined && packet.ssrc !== last.ssrc && now - last.at < this.#switchAfterMs) {
      this.counters.packetsOtherSource++;
      return undefined;
    }
    // RTP timestamps wrap: compared as the signed distance from the last.
    if (last?.ssrc === packet.ssrc && ((packet.timestamp - last.timestamp) | 0) <= 0) {
      // Nothing but late packets for a while: a sender restarted with the
      // same SSRC and another timestamp offset. Its frames are taken again.
      if (now - last.at < this.#switchAfterMs) {
        this.counters.packetsLate++;
        return undefined;
      }
      this.#last = undefined;
    }
    const parsed = this.#parse(packet.payload);
    if (parsed === undefined) {
      this.counters.packetsRejected++;
      return undefined;
    }
    const { offset, data, header } = parsed;
    if (offset + data.length > this.#maxFrameBytes) {
      this.counters.packetsRejected++;
      return undefined;
    }
    const partial = this.#partialFor(packet);
    if (partial.fragments.has(offset)) return undefined;
    const bytes = partial.bytes + data.length;
    const end = packet.marker ? offset + data.length : partial.end;
    // Too many packets or bytes, or more bytes than the frame ends at
    // (overlapping fragments, which no sender makes): the frame is dropped.
    if (
      partial.fragments.size >= this.#maxPackets || bytes > this.#maxFrameBytes ||
      (end !== undefined && (bytes > end || offset + data.length > end))
    ) {
      this.#drop(partial);
      return undefined;
    }
    partial.fragments.set(offset, data.slice());
    partial.bytes = bytes;
    partial.end = end;
    if (header !== undefined) partial.header = header;
    return this.#complete(partial, now);
  }

  #drop(partial: PartialFrame): void {
    this.#pending.splice(this.#pending.indexOf(partial), 1);
    this.counters.framesDropped++;
  }

  #partialFor(packet: RtpPacket): PartialFrame {
    const found = this.#pending.find(
      (p) => p.timestamp === packet.timestamp && p.ssrc === packet.ssrc,
    );
    if (found !== undefined) return found;
    if (this.#pending.length >= this.#maxPending) {
      this.#pending.shift();
      this.counters.framesDropped++;
    }
    const partial: PartialFrame = {
      ssrc: packet.ssrc,
      timestamp: packet.timestamp,
      fragments: new Map(),
      bytes: 0,
    };
    this.#pending.push(partial);
    return partial;
  }

  #complete(partial: PartialFrame, now: number): RtpJpegFrame | undefined {
    const { header, end } = partial;
    // Checked once: exactly as many bytes as the frame ends at, none past it.
    if (header === undefined || end === undefined || partial.bytes !== end) return undefined;
    const offsets = [...partial.fragments.keys()].sort((a, b) => a - b);
    let at = 0;
    for (const offset of offsets) {
      // A gap filled by overlap elsewhere: not what any sender makes.
      if (offset !== at) {
        this.#drop(partial);
        return undefined;
      }
      at += partial.fragments.get(offset)!.length;
    }
    // This frame's older ones of the same source can no longer be shown in
    // order: dropped. Newer ones, begun before it completed, wait on.
    const kept = this.#pending.filter((p) =>
      p !== partial &&
      (p.ssrc !== partial.ssrc || ((p.timestamp - partial.timestamp) | 0) > 0)
    );
    this.counters.framesDropped += this.#pending.length - 1 - kept.length;
    this.#pending = kept;
    const head = buildJpegHeader(header);
    const data = new Uint8Array(head.length + end + 2);
    data.set(head);
    let write = head.length;
    for (const offset of offsets) {
      const fragment = partial.fragments.get(offset)!;
      data.set(fragment, write);
      write += fragment.length;
    }
    data[write] = 0xff;
    data[write + 1] = 0xd9;
    this.counters.frames++;
    this.#last = { ssrc: partial.ssrc, timestamp: partial.timestamp, at: now };
    return { data, timestamp: partial.timestamp, ssrc: partial.ssrc };
  }

  /** Reads RFC 2435's headers; `header` only on a frame's first packet. */
  #parse(
    payload: Uint8Array,
  ): { offset: number; data: Uint8Array; header?: FrameHeader } | undefined {
    if (payload.length < 8) return undefined;
    const offset = (payload[1] << 16) | (payload[2] << 8) | payload[3];
    const fullType = payload[4];
    const q = payload[5];
    const type = fullType & 0x3f;
    if ((fullType & 0x80) !== 0 || (type !== 0 && type !== 1)) return undefined;
    let at = 8;
    let restartInterval = 0;
    if ((fullType & 0x40) !== 0) {
      if (payload.length < at + 4) return undefined;
      restartInterval = (payload[at] << 8) | payload[at + 1];
      at += 4;
    }
    if (offset !== 0) return { offset, data: payload.subarray(at) };
    let quantTables: Uint8Array;
    if (q >= 128) {
      if (payload.length < at + 4) return undefined;
      const precision = payload[at + 1];
      const length = (payload[at + 2] << 8) | payload[at + 3];
      at += 4;
      // 16-bit tables are not baseline.
      if (precision !== 0) return undefined;
      if (length > 0) {
        if ((length !== 64 && length !== 128) || payload.length < at + length) return undefined;
        quantTables = payload.slice(at, at + length);
        at += length;
        if (q < 255) this.#tables.set(q, quantTables);
      } else {
        const known = q < 255 ? this.#tables.get(q) : undefined;
        if (known === undefined) return undefined;
        quantTables = known;
      }
    } else {
      if (q === 0 || q > 99) return undefined;
      quantTables = quantTablesForQ(q);
    }
    const width = payload[6] * 8 || this.#size?.width || 0;
    const height = payload[7] * 8 || this.#size?.height || 0;
    if (width === 0 || height === 0) return undefined;
    return {
      offset,
      data: payload.subarray(at),
      header: { type: type as 0 | 1, width, height, quantTables, restartInterval },
    };
  }
}

function isSide(pixels: number): boolean {
  return Number.isInteger(pixels) && pixels >= 1 && pixels <= 0xffff;
}
