import { type LoopLag, LoopLagSampler, requirePositive } from "./loop_lag_sampler.ts";

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
  /** How often the loop is sampled while the tool starts, in milliseconds. @default {10} */
  intervalMs?: number;
  /** How long the tool is sampled that often, in milliseconds. @default {5000} */
  startMs?: number;
  /** How often the loop is sampled after that, on its own, in milliseconds. @default {100} */
  settledIntervalMs?: number;
  /**
   * How soon after work begins ({@linkcode LoopLagMeter.touch}) a sample is
   * due, in milliseconds. @default {1}
   */
  workDelayMs?: number;
  /** How far back samples are kept, in milliseconds. @default {60000} */
  windowMs?: number;
}

/**
 * Measures this process's event-loop lag: a timer notes how late it runs
 * (see {@linkcode LoopLagSampler}). While the tool starts, when its one-off
 * work (loading, compiling, the first drawing) could hold the loop, a timer
 * is due every `intervalMs`. After that one is due every `settledIntervalMs`,
 * and one more each time work begins ({@linkcode LoopLagMeter.touch}: a frame
 * to send, datagrams to take in), `workDelayMs` later, so it runs late by as
 * long as that work holds the loop.
 *
 * Why not every 10 ms throughout: each timer that wakes an idle process costs
 * about 0.17 ms of CPU on these machines. A timer every 10 ms was the
 * sender's largest fixed cost, 17 ms of CPU a second (0.57 ms a frame at 30
 * fps, 2026-12-06); the samples that matter are those taken while the tool
 * works, and those come with no wake of their own.
 *
 * The timers are unref'd, so they never keep the process alive;
 * {@linkcode LoopLagMeter.close} stops them.
 *
 * @example Usage
 * ```ts
 * import { LoopLagMeter } from "./loop_lag_meter.ts";
 *
 * const meter = new LoopLagMeter();
 * meter.touch(); // work begins
 * await new Promise((resolve) => setTimeout(resolve, 100));
 * console.log(meter.lag.maxMs, meter.lag.p99Ms);
 * meter.close();
 * ```
 */
export class LoopLagMeter {
  #sampler: LoopLagSampler;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #work: ReturnType<typeof setTimeout> | undefined;
  #settledAt: number;
  #settledIntervalMs: number;
  #workDelayMs: number;
  #closed = false;

  /**
   * Starts sampling at once.
   *
   * @throws {RangeError} If an interval, delay or the window is not a positive number.
   */
  constructor(options: LoopLagMeterOptions = {}) {
    this.#sampler = new LoopLagSampler({
      intervalMs: options.intervalMs,
      windowMs: options.windowMs,
      now: () => performance.now(),
    });
    this.#settledIntervalMs = options.settledIntervalMs ?? 100;
    this.#workDelayMs = options.workDelayMs ?? 1;
    requirePositive("settledIntervalMs", this.#settledIntervalMs);
    requirePositive("workDelayMs", this.#workDelayMs);
    this.#settledAt = performance.now() + (options.startMs ?? 5000);
    this.#schedule(this.#sampler.arm());
  }

  /** The worst and the 99th percentile lag over the window, in milliseconds. */
  get lag(): LoopLag {
    return this.#sampler.lag();
  }

  /**
   * Says that work begins: unless one is pending, a sample is due
   * `workDelayMs` from now. Cheap enough to call for each turn of work.
   */
  touch(): void {
    if (this.#work !== undefined || this.#closed) return;
    const due = performance.now() + this.#workDelayMs;
    const timer = setTimeout(() => {
      this.#work = undefined;
      this.#sampler.record(performance.now() - due);
    }, this.#workDelayMs);
    Deno.unrefTimer(timer);
    this.#work = timer;
  }

  /** Stops sampling; {@linkcode LoopLagMeter.lag} keeps what was measured. Safe to call twice. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#work);
    this.#timer = undefined;
    this.#work = undefined;
  }

  #schedule(delay: number): void {
    const timer = setTimeout(() => {
      const settled = performance.now() >= this.#settledAt;
      this.#schedule(this.#sampler.fired(settled ? this.#settledIntervalMs : undefined));
    }, delay);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }
}
