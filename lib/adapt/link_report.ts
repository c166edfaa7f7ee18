import type { ReceiverReport } from "../wire/control.ts";

/** What a receiver reports of its link, about every 250 ms. */
export interface LinkReport {
  /** Packets lost before any retransmission over the last interval, 0 to 1. */
  lossFraction: number;
  /** Frames not delivered after recovery over the last interval, 0 to 1. */
  framesLostFraction: number;
  /** The receiver's estimate of the queueing delay now, in ms. */
  queueDelayMs: number;
}

/**
 * What changed between two reports of one receiver: the counters are running
 * totals that wrap at 2^32, so the difference is taken modulo 2^32. Returns
 * `undefined` when nothing was sent in between (no fragments and no frames).
 */
export function linkReport(
  previous: ReceiverReport,
  current: ReceiverReport,
): LinkReport | undefined {
  const fragments = delta(previous.fragments, current.fragments);
  const missing = delta(previous.missing, current.missing);
  const recovered = delta(previous.recovered, current.recovered);
  const shown = delta(previous.framesShown, current.framesShown);
  const lost = delta(previous.framesLost, current.framesLost);
  // What the sender sent once: all that came first time, and all that never came.
  const sent = fragments - recovered + missing;
  if (sent <= 0 && shown + lost === 0) return undefined;
  return {
    lossFraction: sent > 0 ? Math.min(1, missing / sent) : 0,
    framesLostFraction: shown + lost > 0 ? lost / (shown + lost) : 0,
    queueDelayMs: current.queueDelayMs,
  };
}

function delta(before: number, after: number): number {
  return (after - before) >>> 0;
}
