import type { Adaptation } from "../adapt/adaptation.ts";
import type { Rung } from "../adapt/rate_ladder.ts";
import type { Logger } from "../cli/logger.ts";
import type { StatusLine } from "../cli/status_line.ts";
import { type LoopLag, loopLagReport } from "../metrics/loop_lag_meter.ts";
import type { RateMeter } from "../metrics/rate_meter.ts";
import type { RejectionTally } from "../send/rejection_tally.ts";
import type { UdpSender } from "../send/udp_sender.ts";
import type { UdpSenderStats } from "../send/udp_sender_stats.ts";
import { wallClock } from "../util/clock.ts";

/** What the sender's status line is made of. */
export interface SenderStatus {
  /** Frames a second from the source, sent or not: the camera's health with no receiver. */
  sourceFps: number;
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
  return `udpcam sender | source ${status.sourceFps.toFixed(1)} fps | ` +
    `sent ${status.fps.toFixed(1)} fps | ${status.mbps.toFixed(1)} Mbit/s | ` +
    `${receivers}${link} | resent ${resent.toFixed(1)} %${quality} | skipped ${status.skipped} | ` +
    `loop lag ${status.loopLagMs.toFixed(1)} ms`;
}

/** What {@linkcode startSenderStatus} reads each second, and where it writes. */
export interface SenderStatusOptions {
  logger: Logger;
  status: StatusLine;
  /** The rejections to sum up, once a burst of them is over. */
  tally: RejectionTally;
  /** The bytes sent a second, to one receiver. */
  rate: RateMeter;
  /** The frames the source gives. */
  sourceRate: RateMeter;
  udp: UdpSender;
  adaptation: Adaptation | undefined;
  loopLag: { readonly lag: LoopLag };
  /** Frames skipped so far. */
  skipped: () => number;
}

/**
 * Updates the status line each second, logs the rejections' summary when one
 * is due and, in a JSON log, the same figures every 5 s. Returns the stop.
 */
export function startSenderStatus(options: SenderStatusOptions): () => void {
  const { logger, status, tally, rate, sourceRate, udp, adaptation, loopLag } = options;
  let ticks = 0;
  const timer = setInterval(() => {
    const summary = tally.flush(performance.now());
    if (summary !== undefined) {
      const { type: _, message, ...fields } = summary;
      logger.event("rejected_summary", message, fields);
    }
    const { perSecond, bitsPerSecond } = rate.rate(wallClock());
    const stats = udp.stats;
    const rung = adaptation?.shared;
    const lag = loopLag.lag;
    const skipped = options.skipped();
    const sourceFps = sourceRate.rate(wallClock()).perSecond;
    status.update(senderStatusText({
      sourceFps,
      fps: perSecond,
      mbps: (bitsPerSecond * udp.receivers) / 1e6,
      stats,
      rung,
      skipped,
      loopLagMs: lag.maxMs,
    }));
    // A log read by a program gets the same, every 5 s.
    if (logger.format === "json" && ++ticks % 5 === 0) {
      logger.event("stats", "", {
        sourceFps,
        fps: perSecond,
        skipped,
        quality: rung?.quality,
        stats,
        eventLoopLagMs: loopLagReport(lag),
      });
    }
  }, 1000);
  return () => {
    clearInterval(timer);
    status.clear();
  };
}
