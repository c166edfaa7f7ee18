import { fixed } from "./report.ts";
import {
  FIRST_RATE,
  type HighestRate,
  LAST_RATE,
  MAX_LOSS,
  RATE_CLIP_SECONDS,
  type RateStep,
} from "./highest_rate.ts";
import { GST_MTU } from "./gstreamer.ts";
import { TRANSPORT_RATIO_TARGET } from "./transport_report.ts";

/** The rate GStreamer must reach before udpcam is held to it too, in Mbit/s. */
export const GIGABIT = 1000;

/** What one size's udpcam row is held to, against GStreamer's row of the same size. */
export interface RateVerdict {
  size: string;
  /** GStreamer's highest over udpcam's; at most {@linkcode TRANSPORT_RATIO_TARGET} to meet. */
  ratio: number;
  /** Whether udpcam must reach {@linkcode GIGABIT} (GStreamer did), and did. */
  gigabit: { needed: boolean; reached: boolean };
  met: boolean;
}

/** A rate in frames a second as Mbit/s of JPEG for frames of `meanFrameBytes`. */
export function megabits(rate: number, meanFrameBytes: number): number {
  return (rate * meanFrameBytes * 8) / 1e6;
}

/** Judges each size's udpcam row against GStreamer's. */
export function judgeRates(rows: HighestRate[]): RateVerdict[] {
  const verdicts: RateVerdict[] = [];
  for (const udpcam of rows.filter((row) => row.transport === "udpcam")) {
    const gst = rows.find((row) => row.transport === "gstreamer" && row.size === udpcam.size);
    if (gst === undefined) continue;
    const ratio = udpcam.highest === 0 ? Infinity : gst.highest / udpcam.highest;
    const needed = megabits(gst.highest, gst.meanFrameBytes) >= GIGABIT;
    const reached = megabits(udpcam.highest, udpcam.meanFrameBytes) >= GIGABIT;
    verdicts.push({
      size: udpcam.size,
      ratio,
      gigabit: { needed, reached },
      met: ratio <= TRANSPORT_RATIO_TARGET && (!needed || reached),
    });
  }
  return verdicts;
}

function failedStep(row: HighestRate): RateStep | undefined {
  const failed = row.steps.filter((step) => step.loss >= MAX_LOSS);
  return failed.sort((a, b) => a.rate - b.rate)[0];
}

/** The highest-rate rows as markdown: how they were found, the table, the targets judged. */
export function formatRateReport(rows: HighestRate[]): string {
  const header = [
    "size",
    "transport",
    "mean frame KB",
    "highest fps, < 0.1 % lost",
    "Mbit/s",
    "first rate that failed (lost)",
  ];
  const lines = [
    `- Each row: the clip's frames remuxed to a rate (untouched), ${RATE_CLIP_SECONDS} s of ` +
    `them, played once; rates doubled from ${FIRST_RATE} fps until one lost ` +
    `${fixed(MAX_LOSS * 100, 1)} % or more of its frames, then tried twice in between; ` +
    `at most ${LAST_RATE}; ${GST_MTU}-byte datagrams on both`,
    "- udpcam: sender (--copy --adapt off) → receiver → an HTTP viewer of /stream.mjpg, " +
    "started together; over 2 to 9.5 s, the frames the viewer got against those the sender " +
    "read from ffmpeg between the first and the last of them (by X-Timestamp)",
    "- GStreamer: rtpjpegpay ! udpsink sync=true → udpsrc (the receive buffer udpcam asks " +
    "for) ! rtpjpegdepay ! fpsdisplaysink; its average rate since the first frame against " +
    "the clip's, less a frame for each datagram its socket dropped (rtpjpegdepay passes a " +
    "broken frame on)",
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`,
  ];
  for (const row of rows) {
    const failed = failedStep(row);
    lines.push(
      `| ${
        [
          row.size,
          row.transport === "udpcam" ? "udpcam" : "GStreamer RTP/JPEG",
          fixed(row.meanFrameBytes / 1000, 1),
          row.capped ? `${row.highest} or more` : String(row.highest),
          fixed(megabits(row.highest, row.meanFrameBytes), 0),
          failed === undefined ? "none" : `${failed.rate} (${fixed(failed.loss * 100, 2)} %)`,
        ].join(" | ")
      } |`,
    );
  }
  lines.push(
    "",
    `Targets: udpcam's highest rate within ${TRANSPORT_RATIO_TARGET}x of GStreamer's, and ` +
      `${GIGABIT / 1000} Gbit/s or more where GStreamer reached that`,
  );
  for (const verdict of judgeRates(rows)) {
    const gigabit = verdict.gigabit.needed
      ? `, ${verdict.gigabit.reached ? "reached" : "did not reach"} 1 Gbit/s`
      : "";
    lines.push(
      `- ${verdict.size}: GStreamer's ${fixed(verdict.ratio, 2)}x udpcam's${gigabit}: ` +
        (verdict.met ? "met" : "NOT met"),
    );
  }
  return lines.join("\n");
}
