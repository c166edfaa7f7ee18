/**
 * Why a frame was never emitted:
 * - `late`: still incomplete at its deadline;
 * - `superseded`: a newer frame was complete first;
 * - `evicted`: no room, for newer frames;
 * - `lost`: no datagram of it ever came (lost whole, or left out by the
 *   sender to lower this receiver's frame rate);
 * - `oversize`: larger than the limits.
 */
export type FrameDropReason = "late" | "superseded" | "evicted" | "lost" | "oversize";
/**
 * Why a fragment was not used: the same twice, too late for its frame, not
 * of its frame's layout, larger than the limits, or the first of a new frame
 * beyond the budget of frames started ({@linkcode ReassemblerOptions.startsPerSecond}).
 */
export type FragmentDropReason =
  | "duplicate"
  | "late"
  | "inconsistent"
  | "oversize"
  | "throttled";

/** Counters kept by a {@linkcode Reassembler}, over its whole life. */
export interface ReassemblerStats {
  /** Frames emitted whole. */
  framesCompleted: number;
  /** Frames never emitted, by reason. */
  framesDropped: Record<FrameDropReason, number>;
  /** Fragments accepted into a frame, from the network. */
  packetsUsed: number;
  /** Fragments not used, by reason. */
  packetsDropped: Record<FragmentDropReason, number>;
  /** Fragments found missing, before any recovery. */
  packetsMissing: number;
  /** Missing fragments that came after being asked for again. */
  packetsRecovered: number;
  /** Missing fragments rebuilt from parity. */
  packetsRebuilt: number;
  /** Fragments never had: exact for frames seen in part, estimated for frames never seen. */
  packetsLost: number;
  /** Times the reassembler started over after a frame number far ahead turned out wrong. */
  resyncs: number;
  /** Bytes held by frames in progress now: fragments, parity and bookkeeping. */
  pendingBytes: number;
  /** Frames in progress now. */
  pendingFrames: number;
}

/** The counters behind {@linkcode ReassemblerStats}: all but what is in progress now. */
export type ReassemblerCounters = Omit<ReassemblerStats, "pendingBytes" | "pendingFrames">;

/** Counters that have counted nothing yet. */
export function emptyCounters(): ReassemblerCounters {
  return {
    framesCompleted: 0,
    framesDropped: { late: 0, superseded: 0, evicted: 0, lost: 0, oversize: 0 },
    packetsUsed: 0,
    packetsDropped: { duplicate: 0, late: 0, inconsistent: 0, oversize: 0, throttled: 0 },
    packetsMissing: 0,
    packetsRecovered: 0,
    packetsRebuilt: 0,
    packetsLost: 0,
    resyncs: 0,
  };
}

/**
 * A copy of `counters` with what is in progress now; `packetsLost`, in part
 * an estimate, rounded to a whole number.
 */
export function reassemblerStats(
  counters: ReassemblerCounters,
  pending: { pendingBytes: number; pendingFrames: number },
): ReassemblerStats {
  const s = counters;
  return {
    framesCompleted: s.framesCompleted,
    framesDropped: { ...s.framesDropped },
    packetsUsed: s.packetsUsed,
    packetsDropped: { ...s.packetsDropped },
    packetsMissing: s.packetsMissing,
    packetsRecovered: s.packetsRecovered,
    packetsRebuilt: s.packetsRebuilt,
    packetsLost: Math.round(s.packetsLost),
    resyncs: s.resyncs,
    pendingBytes: pending.pendingBytes,
    pendingFrames: pending.pendingFrames,
  };
}

/**
 * Frames given up after some of their datagrams came. Frames of which
 * nothing came are left out: the sender may have left them out on purpose,
 * sending this receiver fewer frames.
 */
export function framesLost(framesDropped: Record<FrameDropReason, number>): number {
  const d = framesDropped;
  return d.late + d.superseded + d.evicted + d.oversize;
}
