/** Options for a {@linkcode QueueDelayMeter}. */
export interface QueueDelayMeterOptions {
  /**
   * The least delay over this long, in ms, is the path's own delay. A step in
   * the path's delay (a route change) reads as a queue for less than this.
   * @default {2000}
   */
  baseWindowMs?: number;
  /**
   * The least delay over this long, in ms, is the delay now.
   * @default {500}
   */
  recentWindowMs?: number;
  /**
   * The delay now is the least of at least this many samples, however old,
   * so that one late frame after a pause (a stall, not a queue) is not taken
   * for the delay now.
   * @default {3}
   */
  recentSamples?: number;
}

/**
 * Estimates how much queueing adds to a path's delay: the least one-way delay
 * seen recently minus the least seen over a longer window. Taking the least of
 * each ignores jitter and retransmissions and keeps only what every datagram
 * waits: a queue filling up in front of a narrow link.
 *
 * Each delay is a time of arrival on the receiver's clock minus a time of
 * sending on the sender's clock, as the frame carries it: the two clocks'
 * offset is in every sample alike and cancels out. Never correct the sending
 * time with an estimate of that offset: when the estimate improves, the
 * corrected delays jump, and the jump reads as a queue.
 */
export class QueueDelayMeter {
  #base: number;
  #recent: number;
  #recentSamples: number;
  #samples: Array<{ at: number; delay: number }> = [];

  /** Creates a meter with no samples. */
  constructor(options: QueueDelayMeterOptions = {}) {
    this.#base = options.baseWindowMs ?? 2000;
    this.#recent = options.recentWindowMs ?? 500;
    this.#recentSamples = options.recentSamples ?? 3;
  }

  /**
   * Records a datagram sent at `sentAt` (ms, on the sender's clock) that
   * arrived at `arrivedAt` (ms, on this clock), measured at `now` (ms, this clock).
   */
  add(sentAt: number, arrivedAt: number, now: number): void {
    const delay = arrivedAt - sentAt;
    if (!Number.isFinite(delay)) return;
    this.#samples.push({ at: now, delay });
    let drop = 0;
    while (drop < this.#samples.length && now - this.#samples[drop].at > this.#base) drop++;
    if (drop > 0) this.#samples.splice(0, drop);
  }

  /** The queueing delay at `now`, in ms: 0 without a sample in the recent window. */
  value(now: number): number {
    const samples = this.#samples;
    let base = Infinity;
    let recent = Infinity;
    let seen = 0;
    let fresh = false;
    for (let i = samples.length - 1; i >= 0; i--) {
      const { at, delay } = samples[i];
      if (now - at > this.#base) break;
      if (delay < base) base = delay;
      const inRecent = now - at <= this.#recent;
      fresh ||= inRecent;
      if ((inRecent || seen < this.#recentSamples) && delay < recent) recent = delay;
      seen++;
    }
    return fresh ? recent - base : 0;
  }

  /** Forgets every sample, as for a new path. */
  clear(): void {
    this.#samples = [];
  }
}
