import type { LinkState } from "./link_state.ts";
import { RECEIVER_REJECTIONS } from "./receiver_rejection.ts";
import type { UdpReceiverStats } from "./receiver_stats.ts";

/** With no frame for this long, a stream known only by its frames reads as stalled. */
export const STALLED_AFTER_MS = 2000;

/**
 * The state of a stream known only by its frames (no handshake): waiting for
 * the first, live while they come, stalled after {@linkcode STALLED_AFTER_MS}
 * without one.
 */
export function bareLinkState(lastFrameAt: number | undefined, now: number): LinkState {
  if (lastFrameAt === undefined) return "waiting";
  return now - lastFrameAt <= STALLED_AFTER_MS ? "live" : "stalled";
}

/** What a receiver of a protocol with no handshake, clock or recovery (RTP, the tutorial's) counts. */
export interface BareReceiverCounts {
  /** When the stats are read. */
  now: number;
  stateReason: string;
  /** What the stream is: its URL. */
  source: string;
  /** The stream's identity where it has one (RTP's SSRC), else "-". */
  session: string;
  /** Frames and bits a second, as a `RateMeter` reads them. */
  rate: { perSecond: number; bitsPerSecond: number };
  size: { width: number; height: number } | undefined;
  framesReceived: number;
  /** Frames that lost a packet. @default {0} */
  framesLost?: number;
  packetsReceived: number;
  bytesReceived: number;
  /** @default {0} */
  packetsLate?: number;
  /** @default {0} */
  packetsInconsistent?: number;
  /** Packets of another stream on the same port (RTP: another payload type). @default {0} */
  packetsOtherStream?: number;
  /** Datagrams that were not the protocol's, or frames that were not JPEG. */
  malformed: number;
  /** Datagrams from a source not taken. */
  wrongSender: number;
  lastFrameAt: number | undefined;
}

/**
 * The receiver's stats for such a protocol, in the shape udpcam's own has,
 * so that the preview, `/stats` and `/metrics` show any source the same way:
 * what such a protocol does not have reads 0 or undefined.
 */
export function bareReceiverStats(counts: BareReceiverCounts): UdpReceiverStats {
  return {
    state: bareLinkState(counts.lastFrameAt, counts.now),
    stateReason: counts.stateReason,
    sealed: false,
    sender: counts.source,
    session: counts.session,
    senderName: undefined,
    senderStartedAt: undefined,
    fps: Math.round(counts.rate.perSecond * 10) / 10,
    bitrateMbps: Math.round(counts.rate.bitsPerSecond / 1e4) / 100,
    width: counts.size?.width,
    height: counts.size?.height,
    framesReceived: counts.framesReceived,
    framesDropped: {
      late: 0,
      superseded: 0,
      evicted: 0,
      lost: counts.framesLost ?? 0,
      oversize: 0,
    },
    packetsReceived: counts.packetsReceived,
    bytesReceived: counts.bytesReceived,
    packetsResent: 0,
    packetsMissing: 0,
    packetsRecovered: 0,
    packetsRebuilt: 0,
    packetsLost: 0,
    lossPercent: 0,
    nacksSent: 0,
    latencyBudgetMs: 0,
    reorderWaitMs: 0,
    queueDelayMs: 0,
    packetsDropped: {
      duplicate: 0,
      late: counts.packetsLate ?? 0,
      inconsistent: counts.packetsInconsistent ?? 0,
      oversize: 0,
      throttled: 0,
      wrongSession: counts.packetsOtherStream ?? 0,
    },
    pendingBytes: 0,
    resyncs: 0,
    rejected: {
      ...Object.fromEntries(RECEIVER_REJECTIONS.map((reason) => [reason, 0])),
      malformed: counts.malformed,
      wrongSender: counts.wrongSender,
    } as UdpReceiverStats["rejected"],
    rttMs: undefined,
    latencyMs: { p50: undefined, p99: undefined },
    lastFrameAt: counts.lastFrameAt === undefined
      ? undefined
      : new Date(counts.lastFrameAt).toISOString(),
  };
}
