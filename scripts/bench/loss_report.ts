import { LOSS_WARMUP_SECONDS } from "./loss_matrix.ts";
import { BASE_LINK, LOSS_ROWS } from "./loss_rows.ts";
import type { LinkResult } from "./measure_link.ts";

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
    words.push(`>= ${target.fps} fps`);
    met &&= result.fps >= target.fps;
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

/** The loss matrix as markdown: how it was run, then one row a run. */
export function formatLossReport(results: LinkResult[], seconds: number): string {
  const header = [
    "link",
    "recovery",
    "FEC",
    "delivered %",
    "fps",
    "resent %",
    "parity %",
    "latency p50 / p99 ms",
    "RTT ms",
    "lowest quality",
    "target",
  ];
  const lines = [
    `- Each run: a 1280x720 camera-like clip (about 47 KB a frame at quality 80), encoded by ` +
    `the sender's ffmpeg, through the impairment relay with both directions impaired, on top ` +
    `of a ${BASE_LINK.delayMs} ms ± ${BASE_LINK.jitterMs} ms one-way delay; adaptation on; ` +
    `${LOSS_WARMUP_SECONDS} s after going live, then ${seconds} s measured (the cap row ` +
    `from going live, judged from 10 s on)`,
    `- Delivered: frames shown whole over frames the receiver saw any datagram of; ` +
    `resent and parity: bytes over first-sent bytes; latency: capture to an HTTP viewer`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => (i < 3 ? "---" : "---:")).join(" | ")} |`,
  ];
  for (const result of results) {
    const verdict = judge(result, withoutRecovery(results, result));
    lines.push(
      `| ${
        [
          result.label,
          result.nack ? "on" : "off",
          result.fec > 0 ? `1 per ${result.fec}` : "off",
          result.deliveredPercent.toFixed(1),
          result.fps.toFixed(1),
          result.resentPercent.toFixed(1),
          result.parityPercent.toFixed(1),
          `${result.latencyMs.p50.toFixed(1)} / ${result.latencyMs.p99.toFixed(1)}`,
          result.rttMs.toFixed(1),
          String(result.lowestQuality),
          verdict === undefined ? "" : `${verdict.met ? "met" : "NOT met"}: ${verdict.target}`,
        ].join(" | ")
      } |`,
    );
  }
  return lines.join("\n");
}

/** The run of the same link and FEC with recovery off. */
export function withoutRecovery(results: LinkResult[], result: LinkResult): LinkResult | undefined {
  return results.find((r) => r.row === result.row && !r.nack && r.fec === result.fec);
}
