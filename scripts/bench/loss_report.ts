import { fixed } from "./report.ts";
import { COLD_START_SECONDS } from "./cold_start.ts";
import { BASE_LINK, LOSS_ROWS } from "./loss_rows.ts";
import { CAP_ADAPT_SECONDS, type LinkResult } from "./measure_link.ts";

/** Whether a run with recovery on met its row's target, and how it was judged. */
export interface LossVerdict {
  /** The target as words, such as `>= 99 %, p99 <= 3 RTT + 10 ms`. */
  target: string;
  met: boolean;
}

/**
 * Judges a run with recovery on against its row's targets: whole frames
 * delivered (or, for the cap, fps from 10 s on) and latency p99 within
 * 3 RTT plus the row's allowance. On the duplicate-and-reorder row recovery
 * must add no latency: its p99 is held to that of the same link without
 * recovery (`without`), measured in the same bench, plus 1 ms for noise.
 * Runs with recovery off have no target.
 */
export function judge(
  result: LinkResult,
  without: LinkResult | undefined,
): LossVerdict | undefined {
  if (!result.nack) return undefined;
  const row = LOSS_ROWS.find((r) => r.id === result.row);
  const target = row?.target ?? {};
  const words: string[] = [];
  let met = true;
  if (target.deliveredPercent !== undefined) {
    words.push(`>= ${target.deliveredPercent} %`);
    met &&= result.deliveredPercent >= target.deliveredPercent - 1e-9;
  }
  if (target.fps !== undefined) {
    words.push(`>= ${target.fps} fps from ${CAP_ADAPT_SECONDS} s`);
    met &&= result.fpsAfterAdapting >= target.fps;
  }
  if (target.extraMs !== undefined) {
    const bound = 3 * result.rttMs + target.extraMs;
    words.push(`p99 <= 3 RTT + ${target.extraMs} = ${bound.toFixed(1)} ms`);
    met &&= result.latencyMs.p99 <= bound;
  }
  if (result.row === "dupreorder" && without !== undefined) {
    const bound = without.latencyMs.p99 + 1;
    words.push(`p99 <= recovery off + 1 = ${bound.toFixed(1)} ms`);
    met &&= result.latencyMs.p99 <= bound;
  }
  return words.length === 0 ? undefined : { target: words.join(", "), met };
}

/**
 * Judges a run against its row's cold-start targets (issue 11), all counted
 * from the moment both tools started: fps from 5 s on, the quality held at
 * the end, frames dropped over the run and the first frame's delay. Only
 * runs with recovery on are judged, unless the row says any recovery will do.
 */
export function judgeColdStart(result: LinkResult): LossVerdict | undefined {
  const target = LOSS_ROWS.find((r) => r.id === result.row)?.coldStart;
  if (target === undefined || (!result.nack && !target.anyRecovery)) return undefined;
  const words: string[] = [];
  let met = true;
  if (target.fps !== undefined) {
    words.push(`fps ${COLD_START_SECONDS}-${result.seconds} s >= ${target.fps}`);
    met &&= result.fps >= target.fps;
  }
  if (target.endQuality !== undefined) {
    words.push(`quality ${target.endQuality} at the end`);
    met &&= result.endQuality >= target.endQuality;
  }
  if (target.framesDropped !== undefined) {
    const dropped = Object.values(result.framesDropped).reduce((sum, n) => sum + n, 0);
    words.push(`${target.framesDropped} frames dropped (${dropped})`);
    met &&= dropped <= target.framesDropped;
  }
  if (target.firstFrameMs !== undefined) {
    words.push(`first frame <= ${target.firstFrameMs} ms`);
    met &&= result.firstFrameMs !== undefined && result.firstFrameMs <= target.firstFrameMs;
  }
  return { target: words.join(", "), met };
}

/** The loss matrix as markdown: how it was run, then one row a run. */
export function formatLossReport(results: LinkResult[], seconds: number): string {
  const steady = `${COLD_START_SECONDS}-${seconds} s`;
  const header = [
    "link",
    "recovery",
    "FEC",
    "delivered %",
    `fps 0-${COLD_START_SECONDS} s`,
    `fps ${steady}`,
    "resent %",
    "parity %",
    "latency p50 / p99 ms",
    "RTT ms",
    "first frame ms",
    "quality lowest / at end",
    "target",
    "cold-start target",
  ];
  const lines = [
    `- Each run: a 1280x720 camera-like clip (about 47 KB a frame at quality 80), encoded by ` +
    `the sender's ffmpeg, through the impairment relay with both directions impaired, on top ` +
    `of a ${BASE_LINK.delayMs} ms ± ${BASE_LINK.jitterMs} ms one-way delay; adaptation on`,
    `- Cold start: the sender and the receiver start at the same moment, the viewer as soon ` +
    `as the receiver listens; every figure counts from that moment over ${seconds} s, nothing ` +
    `warmed up; fps apart over the first ${COLD_START_SECONDS} s and over ${steady}` +
    ` (the cap row is judged on fps from ${CAP_ADAPT_SECONDS} s, its latency from then too)`,
    `- Delivered: frames shown whole over frames the receiver saw any datagram of; ` +
    `resent and parity: bytes over first-sent bytes; latency: capture to an HTTP viewer; ` +
    `first frame: the sender's first frame to the receiver going live; quality: the least ` +
    `the sender adapted to, and the one in force at the end`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => (i < 3 || i >= header.length - 2 ? "---" : "---:")).join(" | ")} |`,
  ];
  for (const result of results) {
    const verdict = judge(result, withoutRecovery(results, result));
    const coldStart = judgeColdStart(result);
    lines.push(
      `| ${
        [
          result.label,
          result.nack ? "on" : "off",
          result.fec > 0 ? `1 per ${result.fec}` : "off",
          result.deliveredPercent.toFixed(1),
          fixed(result.fpsStart, 1),
          fixed(result.fps, 1),
          result.resentPercent.toFixed(1),
          result.parityPercent.toFixed(1),
          `${result.latencyMs.p50.toFixed(1)} / ${result.latencyMs.p99.toFixed(1)}`,
          fixed(result.rttMs, 1),
          fixed(result.firstFrameMs ?? null, 0),
          `${result.lowestQuality} / ${result.endQuality}`,
          formatVerdict(verdict),
          formatVerdict(coldStart),
        ].join(" | ")
      } |`,
    );
  }
  return lines.join("\n");
}

function formatVerdict(verdict: LossVerdict | undefined): string {
  return verdict === undefined ? "" : `${verdict.met ? "met" : "NOT met"}: ${verdict.target}`;
}

/** The run of the same link and FEC with recovery off. */
export function withoutRecovery(results: LinkResult[], result: LinkResult): LinkResult | undefined {
  return results.find((r) => r.row === result.row && !r.nack && r.fec === result.fec);
}
