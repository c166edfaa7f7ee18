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
