import type { Rung } from "../adapt/rate_ladder.ts";
import type { UdpSenderStats } from "../send/udp_sender_stats.ts";

/** What the sender's status line is made of. */
export interface SenderStatus {
  /** Frames a second sent, and bits a second to all receivers. */
  fps: number;
  mbps: number;
  /** The sender's network counters. */
  stats: UdpSenderStats;
  /** The rung encoded now, when adapting. */
  rung: Rung | undefined;
  /** Frames the source gave that were skipped while sending was busy. */
  skipped: number;
  /** The most the event loop ran late over the last minute, in milliseconds. */
  loopLagMs: number;
}

/**
 * The sender's one-line status: rate, receivers, the worst link's round trip,
 * loss and frames lost, the share of bytes resent, the rung encoded now, and
 * the most the event loop ran late over the last minute.
 */
export function senderStatusText(status: SenderStatus): string {
  const { stats, rung } = status;
  const receivers = `${stats.receivers} receiver${stats.receivers === 1 ? "" : "s"}`;
  const worst = stats.links.reduce(
    (a, b) => (a === undefined || b.lossPercent > a.lossPercent ? b : a),
    undefined as UdpSenderStats["links"][number] | undefined,
  );
  const link = worst === undefined ? "" : ` | rtt ${worst.rttMs.toFixed(1)} ms | loss ` +
    `${worst.lossPercent.toFixed(1)} % | frames lost ${worst.framesLost}`;
  const resent = stats.bytesSent > 0 ? (100 * stats.resentBytes) / stats.bytesSent : 0;
  const quality = rung === undefined
    ? ""
    : ` | q${rung.quality}${rung.widthScale < 1 ? ` x${rung.widthScale}` : ""}`;
  return `udpcam sender | ${status.fps.toFixed(1)} fps | ${status.mbps.toFixed(1)} Mbit/s | ` +
    `${receivers}${link} | resent ${resent.toFixed(1)} %${quality} | skipped ${status.skipped} | ` +
    `loop lag ${status.loopLagMs.toFixed(1)} ms`;
}
