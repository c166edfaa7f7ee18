/** Options for a {@linkcode QueueDelayMeter}. */
export interface QueueDelayMeterOptions {
  /**
   * The least delay over this long, in ms, is the path's own delay.
   * @default {10000}
   */
  baseWindowMs?: number;
  /**
   * The least delay over this long, in ms, is the delay now.
   * @default {500}
   */
  recentWindowMs?: number;
}

/**
 * Estimates how much queueing adds to a path's delay: the least one-way delay
 * seen recently minus the least seen over a longer window. Taking the least of
 * each ignores jitter and retransmissions and keeps only what every datagram
 * waits: a queue filling up in front of a narrow link. The delays may carry
 * any constant offset (unsynchronised clocks): it cancels out.
 */
export class QueueDelayMeter {
  #base: number;
  #recent: number;
  #samples: Array<{ at: number; delay: number }> = [];

  /** Creates a meter with no samples. */
  constructor(options: QueueDelayMeterOptions = {}) {
    this.#base = options.baseWindowMs ?? 10_000;
    this.#recent = options.recentWindowMs ?? 500;
  }

  /** Records a one-way delay measured at `now` (ms). */
  add(delay: number, now: number): void {
    if (!Number.isFinite(delay)) return;
    this.#samples.push({ at: now, delay });
    let drop = 0;
    while (drop < this.#samples.length && now - this.#samples[drop].at > this.#base) drop++;
    if (drop > 0) this.#samples.splice(0, drop);
  }

  /** The queueing delay at `now`, in ms: 0 without recent samples. */
  value(now: number): number {
    let base = Infinity;
    let recent = Infinity;
    for (const { at, delay } of this.#samples) {
      if (now - at > this.#base) continue;
      if (delay < base) base = delay;
      if (now - at <= this.#recent && delay < recent) recent = delay;
    }
    return recent === Infinity ? 0 : recent - base;
  }

  /** Forgets every sample, as for a new path. */
  clear(): void {
    this.#samples = [];
  }
}
