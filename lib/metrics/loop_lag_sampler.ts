/** How late the event loop ran timers over a window: the worst, and the 99th percentile. */
export interface LoopLag {
  /** The latest a timer fired, in milliseconds; 0 with no sample yet. */
  maxMs: number;
  /** The 99th percentile of how late timers fired, in milliseconds; 0 with no sample yet. */
  p99Ms: number;
}

/** Options for a {@linkcode LoopLagSampler}. */
export interface LoopLagSamplerOptions {
  /** A monotonic clock in milliseconds, such as `() => performance.now()`. */
  now: () => number;
  /** How long after each sample the next is due, in milliseconds. @default {10} */
  intervalMs?: number;
  /** How far back samples are kept, in milliseconds. @default {60000} */
  windowMs?: number;
}

/**
 * The arithmetic of an event-loop lag meter, with no timer of its own: the
 * caller schedules a timer for the delay {@linkcode LoopLagSampler.arm} or
 * {@linkcode LoopLagSampler.fired} returns, and calls `fired()` when it runs.
 * How late it ran is how long the loop was held up by other work. Samples
 * older than the window are forgotten.
 *
 * @example Usage
 * ```ts
 * import { LoopLagSampler } from "./loop_lag_sampler.ts";
 *
 * let now = 0;
 * const sampler = new LoopLagSampler({ now: () => now, intervalMs: 10 });
 * sampler.arm();
 * now = 35; // the timer due at 10 ran 25 ms late
 * sampler.fired();
 * sampler.lag(); // { maxMs: 25, p99Ms: 25 }
 * ```
 */
export class LoopLagSampler {
  #now: () => number;
  #intervalMs: number;
  #windowMs: number;
  #due: number | undefined;
  #times: number[] = [];
  #lags: number[] = [];
  #head = 0;

  /**
   * Makes a sampler with no sample.
   *
   * @throws {RangeError} If `intervalMs` or `windowMs` is not a positive number.
   */
  constructor(options: LoopLagSamplerOptions) {
    this.#now = options.now;
    this.#intervalMs = options.intervalMs ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    requirePositive("intervalMs", this.#intervalMs);
    requirePositive("windowMs", this.#windowMs);
  }

  /**
   * Starts the wait for the next sample, due `delayMs` from now.
   *
   * @param delayMs @default the interval
   * @returns The delay to schedule the timer with, in milliseconds.
   */
  arm(delayMs: number = this.#intervalMs): number {
    this.#due = this.#now() + delayMs;
    return delayMs;
  }

  /**
   * Records how late the timer armed last ran (never less than 0), and arms
   * the next, `nextMs` from now.
   *
   * @param nextMs @default the interval
   * @returns The delay to schedule the next timer with, in milliseconds.
   */
  fired(nextMs: number = this.#intervalMs): number {
    if (this.#due !== undefined) this.record(this.#now() - this.#due);
    return this.arm(nextMs);
  }

  /**
   * Records a sample taken by other means: a timer that ran `lagMs` late.
   * The timer armed with {@linkcode LoopLagSampler.arm} stays armed.
   */
  record(lagMs: number): void {
    const now = this.#now();
    this.#times.push(now);
    this.#lags.push(Math.max(0, lagMs));
    this.#trim(now);
  }

  /** The worst and the 99th percentile (nearest rank) of the samples in the window ending now. */
  lag(): LoopLag {
    this.#trim(this.#now());
    const count = this.#lags.length - this.#head;
    if (count === 0) return { maxMs: 0, p99Ms: 0 };
    const sorted = Float64Array.from(this.#lags.slice(this.#head)).sort();
    const rank = Math.min(count - 1, Math.max(0, Math.ceil(0.99 * count) - 1));
    return { maxMs: sorted[count - 1], p99Ms: sorted[rank] };
  }

  #trim(now: number): void {
    const cutoff = now - this.#windowMs;
    while (this.#head < this.#times.length && this.#times[this.#head] <= cutoff) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#lags = this.#lags.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * Throws unless `value`, the option `name` of a lag meter, is a positive number.
 *
 * @throws {RangeError} If it is not.
 */
export function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`Loop lag ${name} must be a positive number, got ${value}`);
  }
}
