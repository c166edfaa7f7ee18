import type { BenchClip } from "./bench_clip.ts";
import { type LinkResult, measureLink } from "./measure_link.ts";
import { capRow, type LossRow } from "./loss_rows.ts";

/** Recovery settings the matrix compares on every link. */
export interface RecoveryCombo {
  /** The receiver asks for lost datagrams again. */
  nack: boolean;
  /** Fragments per parity datagram; 0 for none. */
  fec: number;
}

/** Recovery on and off, FEC on and off. */
export const COMBOS: readonly RecoveryCombo[] = [
  { nack: true, fec: 0 },
  { nack: true, fec: 10 },
  { nack: false, fec: 0 },
  { nack: false, fec: 10 },
];

/** Options for {@linkcode runLossMatrix}. */
export interface LossMatrixOptions {
  /** The rows to run, in order; the first should be the clean link, which sets the cap. */
  rows: readonly LossRow[];
  /** Seconds a run lasts, from the moment both tools start. */
  seconds: number;
  /** Aborts the matrix. */
  signal: AbortSignal;
  /** Called before each run. */
  progress: (message: string) => void;
}

/**
 * Runs every row with every combo, one run at a time, each from a cold
 * start (both tools started together, nothing warmed up). The cap row is half
 * the stream's bitrate as the clean row measured it (or the clip's, if the
 * clean row was not run).
 */
export async function runLossMatrix(
  clip: BenchClip,
  options: LossMatrixOptions,
): Promise<LinkResult[]> {
  const results: LinkResult[] = [];
  let streamMbps = (clip.meanFrameBytes * 8 * 30) / 1e6;
  for (const row of options.rows) {
    for (const combo of COMBOS) {
      const link = capRow(row, streamMbps);
      options.progress(
        `${row.id}, recovery ${combo.nack ? "on" : "off"}, FEC ${combo.fec ? "on" : "off"}: ` +
          `${options.seconds} s`,
      );
      const result = await measureLink({
        clip,
        row,
        link,
        nack: combo.nack,
        fec: combo.fec,
        seconds: options.seconds,
        seed: 1,
        signal: options.signal,
      });
      if (row.id === "clean" && combo.nack && combo.fec === 0) streamMbps = result.mbps;
      results.push(result);
    }
  }
  return results;
}
