import type { LatestValue } from "../hub/latest_value.ts";
import type { ReceivedFrame } from "../hub/frame.ts";
import type { LatencyHistogramSnapshot } from "../metrics/latency_histogram.ts";
import type { LinkState } from "./link_state.ts";
import type { UdpReceiverStats } from "./receiver_stats.ts";

/**
 * What the receiver's preview, recording and status line need of whatever
 * brings frames in: udpcam's own protocol ({@linkcode UdpReceiver}) or RTP/JPEG
 * (`RtpReceiver`).
 */
export interface FrameReceiver {
  /** The newest frame, for whoever asks. */
  readonly frames: LatestValue<ReceivedFrame>;
  /** The state of the stream now. */
  readonly state: LinkState;
  /** Why it is in that state, in words. */
  readonly stateReason: string;
  /** The address its socket is bound to. */
  readonly addr: Deno.NetAddr;
  /** Latency since the start, in fixed buckets (empty where it cannot be known). */
  readonly latencyHistogram: LatencyHistogramSnapshot;
  /** Everything measured so far. */
  stats(now?: number): UdpReceiverStats;
  /** Stops receiving, then ends `frames`. */
  close(): Promise<void>;
}
