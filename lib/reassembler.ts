import { MAX_FRAME_BYTES } from "./frame.ts";
import type { Data } from "./packet.ts";

/** Limits on what a {@linkcode Reassembler} holds. */
export interface ReassemblerOptions {
  /**
   * Frames in progress at once; starting one more evicts the oldest.
   * @default {8}
   */
  maxFrames?: number;
  /**
   * The largest frame accepted, in bytes.
   * @default {16777216}
   */
  maxFrameBytes?: number;
  /**
   * Bytes held by all frames in progress together.
   * @default {67108864}
   */
  maxPendingBytes?: number;
  /**
   * A frame in progress for longer than this, in ms, is given up.
   * @default {1000}
   */
  maxAgeMs?: number;
}

/** A whole frame, put back together. */
export interface AssembledFrame {
  /** The frame number within its session. */
  frame: number;
  /** The whole JPEG. */
  data: Uint8Array<ArrayBuffer>;
  /** The sender's capture time, ms since the epoch on the sender's clock. */
  captureTime: number;
  /** How many datagrams carried it. */
  fragments: number;
}

/** Why a frame was never emitted. */
export type FrameDropReason = "incomplete" | "lost" | "oversize";
/** Why a fragment was not used. */
export type FragmentDropReason = "duplicate" | "late" | "inconsistent" | "oversize";

/** Counters kept by a {@linkcode Reassembler}, over its whole life. */
export interface ReassemblerStats {
  /** Frames emitted whole. */
  framesCompleted: number;
  /** Frames never emitted, by reason. */
  framesDropped: Record<FrameDropReason, number>;
  /** Fragments accepted into a frame. */
  packetsUsed: number;
  /** Fragments not used, by reason. */
  packetsDropped: Record<FragmentDropReason, number>;
  /** Fragments that never arrived: exact for frames seen in part, estimated for frames never seen. */
  packetsLost: number;
  /** Bytes held by frames in progress now, bookkeeping included. */
  pendingBytes: number;
  /** Frames in progress now. */
  pendingFrames: number;
}

interface Partial {
  frameLength: number;
  fragmentSize: number;
  count: number;
  received: number;
  seen: Uint8Array;
  data: Uint8Array<ArrayBuffer>;
  captureTime: number;
  started: number;
}

/**
 * Puts frames back together from fragments that may arrive out of order,
 * twice, or not at all. It emits only whole frames, never one older than the
 * newest it emitted, and bounds the memory it holds for frames in progress.
 * It knows nothing of sockets: feed it decoded DATA packets of one session.
 */
export class Reassembler {
  #maxFrames: number;
  #maxFrameBytes: number;
  #maxPendingBytes: number;
  #maxAgeMs: number;
  #partials = new Map<number, Partial>();
  #pendingBytes = 0;
  /** No frame at or below this number is started again: it was emitted or given up. */
  #floor = -1;
  /** The highest frame number that has had a fragment. */
  #highest = -1;
  #fragmentsPerFrame = 0;
  #stats = {
    framesCompleted: 0,
    framesDropped: { incomplete: 0, lost: 0, oversize: 0 },
    packetsUsed: 0,
    packetsDropped: { duplicate: 0, late: 0, inconsistent: 0, oversize: 0 },
    packetsLost: 0,
  };

  /** Creates a reassembler with the given limits. */
  constructor(options: ReassemblerOptions = {}) {
    this.#maxFrames = options.maxFrames ?? 8;
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
  }

  /** The counters so far. */
  get stats(): ReassemblerStats {
    const s = this.#stats;
    return {
      framesCompleted: s.framesCompleted,
      framesDropped: { ...s.framesDropped },
      packetsUsed: s.packetsUsed,
      packetsDropped: { ...s.packetsDropped },
      packetsLost: Math.round(s.packetsLost),
      pendingBytes: this.#pendingBytes,
      pendingFrames: this.#partials.size,
    };
  }

  /**
   * Forgets every frame in progress and the newest frame number, as for a new
   * session. Counters are kept.
   */
  reset(): void {
    for (const [frame, partial] of this.#partials) this.#drop(frame, partial);
    this.#floor = -1;
    this.#highest = -1;
  }

  /**
   * Takes one fragment received at `now` (ms, any monotonic clock) and returns
   * the frame it completes, if any.
   */
  push(packet: Data, now: number): AssembledFrame | undefined {
    const { frame } = packet;
    if (frame <= this.#floor) {
      this.#stats.packetsDropped.late++;
      return undefined;
    }
    let partial = this.#partials.get(frame);
    if (partial !== undefined && now - partial.started > this.#maxAgeMs) {
      this.#drop(frame, partial);
      this.#stats.packetsDropped.late++;
      return undefined;
    }
    if (partial === undefined) {
      this.#expire(now);
      partial = this.#start(packet, now);
      if (partial === undefined) return undefined;
    } else if (
      partial.frameLength !== packet.frameLength || partial.fragmentSize !== packet.fragmentSize ||
      partial.captureTime !== packet.captureTime
    ) {
      this.#stats.packetsDropped.inconsistent++;
      return undefined;
    }
    const { index, payload } = packet;
    const last = partial.count - 1;
    if (
      index > last ||
      payload.length !==
        (index === last ? partial.frameLength - index * partial.fragmentSize : partial.fragmentSize)
    ) {
      this.#stats.packetsDropped.inconsistent++;
      return undefined;
    }
    if (partial.seen[packet.index] === 1) {
      this.#stats.packetsDropped.duplicate++;
      return undefined;
    }
    partial.seen[packet.index] = 1;
    partial.data.set(packet.payload, packet.index * partial.fragmentSize);
    partial.received++;
    this.#stats.packetsUsed++;
    if (partial.received < partial.count) return undefined;
    return this.#emit(frame, partial);
  }

  #start(packet: Data, now: number): Partial | undefined {
    const { frameLength } = packet;
    const count = Math.ceil(frameLength / packet.fragmentSize);
    // The frame's bytes and one byte a fragment to tell which have come.
    const cost = frameLength + count;
    if (frameLength > this.#maxFrameBytes || cost > this.#maxPendingBytes) {
      this.#stats.packetsDropped.oversize++;
      return undefined;
    }
    while (
      this.#partials.size > 0 &&
      (this.#partials.size >= this.#maxFrames || this.#pendingBytes + cost > this.#maxPendingBytes)
    ) {
      const [oldest, partial] = this.#oldest();
      if (packet.frame < oldest) {
        // Older than everything in progress, with no room: the newer frames win.
        this.#stats.packetsDropped.late++;
        return undefined;
      }
      this.#drop(oldest, partial);
    }
    this.#countLost(packet.frame);
    const partial: Partial = {
      frameLength,
      fragmentSize: packet.fragmentSize,
      count,
      received: 0,
      seen: new Uint8Array(count),
      data: new Uint8Array(frameLength),
      captureTime: packet.captureTime,
      started: now,
    };
    this.#partials.set(packet.frame, partial);
    this.#pendingBytes += cost;
    return partial;
  }

  /** Frames skipped over count as lost until a fragment of theirs turns up. */
  #countLost(frame: number): void {
    const stats = this.#stats;
    if (frame > this.#highest) {
      const skipped = this.#highest < 0 ? 0 : frame - this.#highest - 1;
      stats.framesDropped.lost += skipped;
      stats.packetsLost += skipped * this.#fragmentsPerFrame;
      this.#highest = frame;
    } else if (stats.framesDropped.lost > 0) {
      stats.framesDropped.lost--;
      stats.packetsLost = Math.max(0, stats.packetsLost - this.#fragmentsPerFrame);
    }
  }

  #oldest(): [number, Partial] {
    let oldest: [number, Partial] | undefined;
    for (const entry of this.#partials) {
      if (oldest === undefined || entry[0] < oldest[0]) oldest = entry;
    }
    return oldest!;
  }

  #expire(now: number): void {
    for (const [frame, partial] of this.#partials) {
      if (now - partial.started > this.#maxAgeMs) this.#drop(frame, partial);
    }
  }

  #drop(frame: number, partial: Partial): void {
    this.#partials.delete(frame);
    this.#pendingBytes -= partial.frameLength + partial.count;
    if (frame > this.#floor) this.#floor = frame;
    this.#stats.framesDropped.incomplete++;
    this.#stats.packetsLost += partial.count - partial.received;
  }

  #emit(frame: number, partial: Partial): AssembledFrame {
    this.#partials.delete(frame);
    this.#pendingBytes -= partial.frameLength + partial.count;
    // Everything older than the frame emitted can no longer be shown.
    for (const [older, other] of this.#partials) {
      if (older < frame) this.#drop(older, other);
    }
    this.#floor = frame;
    this.#fragmentsPerFrame = this.#fragmentsPerFrame === 0
      ? partial.count
      : this.#fragmentsPerFrame * 0.9 + partial.count * 0.1;
    this.#stats.framesCompleted++;
    return {
      frame,
      data: partial.data,
      captureTime: partial.captureTime,
      fragments: partial.count,
    };
  }
}
