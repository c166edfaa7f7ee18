import { type Adaptation, isTopRung, rungAt } from "./adaptation_log.ts";
import type { StatsSample } from "./stats_sampler.ts";

/** Options for {@linkcode secondsBack}. */
export interface SecondsBackOptions {
  /** The moment counted from, such as a transient's end (ms since the epoch). */
  from: number;
  /** The receiver's `/stats` readings, oldest first. */
  samples: readonly Pick<StatsSample, "at" | "fps">[];
  /** The sender's `adapted` events. */
  adaptations: readonly Adaptation[];
  /** The least fps that counts as the full frame rate. @default {29} */
  minFps?: number;
  /** How long both must hold, readings on end, to count as back. @default {1000} */
  holdMs?: number;
}

/**
 * Seconds from `from` to the first reading at or after it from which, for
 * `holdMs` of readings, the stream is back to full: the rung in force (the
 * last `adapted` events at or before each reading) is the top, quality 80 and
 * every frame, and the receiver reads at least `minFps`. Undefined if it was
 * not back within the readings (those after the last one that could hold for
 * `holdMs` cannot count).
 */
export function secondsBack(options: SecondsBackOptions): number | undefined {
  const { from, samples, adaptations, minFps = 29, holdMs = 1000 } = options;
  const full = (sample: Pick<StatsSample, "at" | "fps">) =>
    sample.fps >= minFps && isTopRung(rungAt(adaptations, sample.at));
  const last = samples.at(-1)?.at ?? -Infinity;
  for (let i = 0; i < samples.length; i++) {
    const start = samples[i];
    if (start.at < from || start.at + holdMs > last) continue;
    let held = true;
    for (let j = i; j < samples.length && samples[j].at <= start.at + holdMs; j++) {
      if (!full(samples[j])) {
        held = false;
        break;
      }
    }
    if (held) return (start.at - from) / 1000;
  }
  return undefined;
}
