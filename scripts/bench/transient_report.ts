import { formatRung } from "./adaptation_log.ts";
import { BASE_LINK } from "./loss_rows.ts";
import { fixed } from "./report.ts";
import { LOSS_COUNT_SECONDS, QUEUE_READ_MS, type TransientResult } from "./transient_summary.ts";

/** The most seconds from a transient's end to full quality and frame rate. */
export const BACK_WITHIN_SECONDS = 10;

/** The most seconds a step in delay may read as a queue. */
export const QUEUE_WITHIN_SECONDS = 2;

/** Whether a transient's run met its targets, and how it was judged. */
export interface TransientVerdict {
  /** The targets as words, such as `back within 10 s`. */
  target: string;
  met: boolean;
}

/**
 * Judges a transient: back to full quality and frame rate within 10 s of its
 * end, and for a step in delay, read as a queue for 2 s at most.
 */
export function judgeTransient(result: TransientResult): TransientVerdict {
  const words = [`back within ${BACK_WITHIN_SECONDS} s`];
  let met = result.secondsBack !== undefined && result.secondsBack <= BACK_WITHIN_SECONDS;
  if (result.queueSeconds !== undefined) {
    words.push(`read as congestion <= ${QUEUE_WITHIN_SECONDS} s`);
    met &&= result.queueSeconds <= QUEUE_WITHIN_SECONDS;
  }
  return { target: words.join(", "), met };
}

/** The transients as markdown: how they were run, then one row each. */
export function formatTransientReport(results: TransientResult[]): string {
  const header = [
    "transient",
    "frames lost (receiver / viewer)",
    "s back to full quality and fps",
    "lowest rung",
    "s read as queue",
    "target",
  ];
  const lines = [
    `- Each run: a 1280x720 camera-like clip encoded by the sender's ffmpeg at 30 fps; the ` +
    `sender and the receiver (recovery on, no FEC) started together through the impairment ` +
    `relay, a clean link of ${BASE_LINK.delayMs} ms ± ${BASE_LINK.jitterMs} ms one-way; an ` +
    `HTTP viewer on /stream.mjpg; the receiver's /stats read every 250 ms; the transient after ` +
    `8 s of streaming`,
    `- Frames lost: the receiver's frames dropped, and the frames the viewer missed against ` +
    `30 fps, from the transient's start to ${LOSS_COUNT_SECONDS} s after its end`,
    `- Back: from the transient's end to the first /stats reading from which, for 1 s, the ` +
    `sender's last adaptation leaves quality 80 and every frame and the receiver reads >= 29 fps`,
    `- Lowest rung: the least quality, share of frames and width of the sender's adaptations; ` +
    `read as queue: seconds the receiver's queueDelayMs read over ${QUEUE_READ_MS} ms after ` +
    `a step in delay, and whether the sender adapted to it`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => (i === 0 || i === 3 || i === 5 ? "---" : "---:")).join(" | ")} |`,
  ];
  for (const result of results) {
    const verdict = judgeTransient(result);
    const label = result.streamMbps === undefined
      ? result.label
      : `${result.label} (${fixed(result.streamMbps / 2, 1)} of ${
        fixed(result.streamMbps, 1)
      } Mbit/s)`;
    lines.push(
      `| ${
        [
          label,
          `${result.framesLost} / ${result.viewerMissed}`,
          result.secondsBack === undefined
            ? `not within ${fixed(result.watchedSeconds, 0)} s`
            : fixed(result.secondsBack, 2),
          formatRung(result.lowest),
          result.queueSeconds === undefined
            ? ""
            : `${fixed(result.queueSeconds, 2)}${result.adapted ? ", adapted" : ", not adapted"}`,
          `${verdict.met ? "met" : "NOT met"}: ${verdict.target}`,
        ].join(" | ")
      } |`,
    );
  }
  return lines.join("\n");
}
