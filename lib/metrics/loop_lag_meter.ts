import { type LoopLag, LoopLagSampler } from "./loop_lag_sampler.ts";

export type { LoopLag } from "./loop_lag_sampler.ts";

/** A {@linkcode LoopLag} as the tools report it: in milliseconds to a tenth, as `/stats` and logs give it. */
export interface LoopLagReport {
  /** The worst lag over the window, in milliseconds. */
  max: number;
  /** The 99th percentile lag over the window, in milliseconds. */
  p99: number;
}

/**
 * The lag rounded to a tenth of a millisecond, for `/stats` and logs.
 *
 * @param lag The lag, as {@linkcode LoopLagMeter.lag} gives it.
 * @returns `{ max, p99 }`, in milliseconds.
 */
export function loopLagReport(lag: LoopLag): LoopLagReport {
  return { max: Math.round(lag.maxMs * 10) / 10, p99: Math.round(lag.p99Ms * 10) / 10 };
}

/** Options for a {@linkcode LoopLagMeter}. */
export interface LoopLagMeterOptions {
  /** How often the loop is sampled, in milliseconds. @default {10} */
  intervalMs?: number;
  /** How far back samples are kept, in milliseconds. @default {60000} */
  windowMs?: number;
}

/**
 * Measures this process's event-loop lag: a timer due every `intervalMs`
 * notes how late it runs (see {@linkcode LoopLagSampler}). The timer is
 * unref'd, so it never keeps the process alive; {@linkcode LoopLagMeter.close}
 * stops it.
 *
 * @example Usage
 * ```ts
 * import { LoopLagMeter } from "./loop_lag_meter.ts";
 *
 * const meter = new LoopLagMeter();
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * console.log(meter.lag.maxMs, meter.lag.p99Ms);
 * meter.close();
 * ```
 */
export class LoopLagMeter {
  #sampler: LoopLagSampler;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Starts sampling at once.
   *
   * @throws {RangeError} If `intervalMs` or `windowMs` is not a positive number.
   */
  constructor(options: LoopLagMeterOptions = {}) {
    this.#sampler = new LoopLagSampler({ ...options, now: () => performance.now() });
    this.#schedule(this.#sampler.arm());
  }

  /** The worst and the 99th percentile lag over the window, in milliseconds. */
  get lag(): LoopLag {
    return this.#sampler.lag();
  }

  /** Stops sampling; {@linkcode LoopLagMeter.lag} keeps what was measured. Safe to call twice. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delay: number): void {
    const timer = setTimeout(() => this.#schedule(this.#sampler.fired()), delay);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }
}
