/** What a receiver reports of its link, about every 250 ms. */
export interface LinkReport {
  /** Packets lost before any retransmission over the last interval, 0 to 1. */
  lossFraction: number;
  /** Frames not delivered after recovery over the last interval, 0 to 1. */
  framesLostFraction: number;
  /** The receiver's estimate of the queueing delay now, in ms. */
  queueDelayMs: number;
}

/** A step a {@linkcode LinkController} asks for: to a smaller rung, or to a larger one. */
export type LinkStep = "down" | "up";

/** Options for a {@linkcode LinkController}. */
export interface LinkControllerOptions {
  /** How many rungs the ladder has; level 0 is the best, `levels - 1` the smallest. */
  levels: number;
  /**
   * The level to start at.
   * @default {0}
   */
  level?: number;
  /**
   * A report with more packet loss than this is congested. Recovery repairs
   * less than this; more is a link too narrow or too poor for the stream.
   * @default {0.15}
   */
  congestedLoss?: number;
  /**
   * A report with more frames lost than this is congested.
   * @default {0.02}
   */
  congestedFramesLost?: number;
  /**
   * A report with more queueing delay than this, in ms, is congested.
   * @default {40}
   */
  congestedQueueDelayMs?: number;
  /**
   * A report is clean only with less packet loss than this (and no frame lost).
   * @default {0.02}
   */
  cleanLoss?: number;
  /**
   * A report is clean only with less queueing delay than this, in ms.
   * @default {10}
   */
  cleanQueueDelayMs?: number;
  /**
   * Congested reports in a row before a step down.
   * @default {2}
   */
  sustainReports?: number;
  /**
   * After a step down, reports are ignored for this long, in ms, while the change
   * takes effect and queues drain.
   * @default {1000}
   */
  holdMs?: number;
  /**
   * Clean reports for this long, in ms, earn a step up; the wait doubles after
   * each failed probe and halves back after each probe that holds.
   * @default {5000}
   */
  upAfterMs?: number;
  /**
   * The longest wait for a step up, in ms.
   * @default {60000}
   */
  maxUpAfterMs?: number;
  /**
   * A step down within this long, in ms, after a step up means the step up failed.
   * @default {5000}
   */
  probeMs?: number;
}

type Verdict = "congested" | "clean" | "hold";

/**
 * One receiver's congestion controller on a ladder of `levels` rungs (level 0
 * is the best). Fed with the receiver's reports and a clock, it asks to step
 * down after `sustainReports` congested reports in a row, then ignores reports
 * for `holdMs`; it asks to step up after `upAfterMs` of clean reports only. A
 * step up is a probe: if a step down follows within `probeMs`, the wait before
 * the next probe doubles (up to `maxUpAfterMs`), so a link that fits just
 * below a rung is probed less and less often instead of oscillating; a probe
 * that holds for `probeMs` halves the wait back towards `upAfterMs`.
 *
 * {@linkcode update} does not move the level itself: the caller applies the
 * step through {@linkcode level}, and may move it further (to skip rungs that
 * change nothing). Pure: no timers, the caller supplies the clock.
 */
export class LinkController {
  #levels: number;
  #level: number;
  #narrow = false;
  #congestedLoss: number;
  #congestedFramesLost: number;
  #congestedQueueDelayMs: number;
  #cleanLoss: number;
  #cleanQueueDelayMs: number;
  #sustainReports: number;
  #holdMs: number;
  #initialUpAfterMs: number;
  #maxUpAfterMs: number;
  #probeMs: number;
  #upAfterMs: number;
  #congested = 0;
  #holdUntil: number | undefined;
  #cleanSince: number | undefined;
  #probeStarted: number | undefined;
  #reason = "";

  /**
   * Creates a controller at `options.level`.
   *
   * @throws {RangeError} If `levels` is not a whole number of at least 1.
   */
  constructor(options: LinkControllerOptions) {
    if (!(Number.isInteger(options.levels) && options.levels >= 1)) {
      throw new RangeError(`The ladder needs at least one level, got ${options.levels}`);
    }
    this.#levels = options.levels;
    this.#level = 0;
    this.level = options.level ?? 0;
    this.#congestedLoss = options.congestedLoss ?? 0.15;
    this.#congestedFramesLost = options.congestedFramesLost ?? 0.02;
    this.#congestedQueueDelayMs = options.congestedQueueDelayMs ?? 40;
    this.#cleanLoss = options.cleanLoss ?? 0.02;
    this.#cleanQueueDelayMs = options.cleanQueueDelayMs ?? 10;
    this.#sustainReports = Math.max(1, options.sustainReports ?? 2);
    this.#holdMs = options.holdMs ?? 1000;
    this.#initialUpAfterMs = options.upAfterMs ?? 5000;
    this.#maxUpAfterMs = Math.max(this.#initialUpAfterMs, options.maxUpAfterMs ?? 60_000);
    this.#probeMs = options.probeMs ?? 5000;
    this.#upAfterMs = this.#initialUpAfterMs;
  }

  /** The current level: 0 is the best rung, `levels - 1` the smallest. */
  get level(): number {
    return this.#level;
  }

  /**
   * Moves to another level, held within 0 and `levels - 1`.
   *
   * @throws {RangeError} If the level is not a whole number.
   */
  set level(value: number) {
    if (!Number.isInteger(value)) {
      throw new RangeError(`The level must be a whole number, got ${value}`);
    }
    this.#level = Math.min(this.#levels - 1, Math.max(0, value));
  }

  /** How many levels the ladder has. */
  get levels(): number {
    return this.#levels;
  }

  /** How long, in ms, clean reports must last now to earn a step up. */
  get upAfterMs(): number {
    return this.#upAfterMs;
  }

  /**
   * Whether the last step down was for a narrow link (heavy loss, or a queue
   * building up) rather than only for frames lost on a poor one.
   */
  get narrow(): boolean {
    return this.#narrow;
  }

  /** Why the last step was asked for, as "loss 12%" or "clean for 5 s"; empty before any step. */
  get reason(): string {
    return this.#reason;
  }

  /**
   * Takes the report received at `now` (ms, any monotonic clock) and returns
   * the step it calls for, if any. The caller applies it through
   * {@linkcode level}. Never asks to go below level 0 or past the last level.
   *
   * @throws {RangeError} If a field of the report is negative or not a number.
   */
  update(report: LinkReport, now: number): LinkStep | undefined {
    const { lossFraction, framesLostFraction, queueDelayMs } = report;
    if (!(lossFraction >= 0 && framesLostFraction >= 0 && queueDelayMs >= 0)) {
      throw new RangeError(
        `A link report needs non-negative numbers, got loss ${lossFraction}, frames lost ${framesLostFraction}, queue delay ${queueDelayMs}`,
      );
    }
    if (this.#probeStarted !== undefined && now - this.#probeStarted >= this.#probeMs) {
      // The last step up held: wait less before the next one.
      this.#upAfterMs = Math.max(this.#initialUpAfterMs, this.#upAfterMs / 2);
      this.#probeStarted = undefined;
    }
    if (this.#holdUntil !== undefined) {
      if (now < this.#holdUntil) return undefined;
      this.#holdUntil = undefined;
    }
    const verdict = this.#judge(report);
    if (verdict !== "congested") this.#congested = 0;
    if (verdict !== "clean") this.#cleanSince = undefined;
    if (verdict === "congested") {
      this.#congested++;
      if (this.#congested < this.#sustainReports || this.#level >= this.#levels - 1) {
        return undefined;
      }
      this.#congested = 0;
      this.#holdUntil = now + this.#holdMs;
      if (this.#probeStarted !== undefined) {
        // Down soon after up: the link did not fit the rung above, wait longer before trying again.
        this.#upAfterMs = Math.min(this.#maxUpAfterMs, this.#upAfterMs * 2);
        this.#probeStarted = undefined;
      }
      this.#reason = this.#describe(report);
      this.#narrow = report.lossFraction > this.#congestedLoss ||
        report.queueDelayMs > this.#congestedQueueDelayMs;
      return "down";
    }
    if (verdict === "clean") {
      this.#cleanSince ??= now;
      const clean = now - this.#cleanSince;
      if (clean < this.#upAfterMs || this.#level === 0) return undefined;
      this.#cleanSince = now;
      this.#probeStarted = now;
      this.#reason = `clean for ${Math.round(clean / 100) / 10} s`;
      return "up";
    }
    return undefined;
  }

  #judge(report: LinkReport): Verdict {
    if (
      report.lossFraction > this.#congestedLoss ||
      report.framesLostFraction > this.#congestedFramesLost ||
      report.queueDelayMs > this.#congestedQueueDelayMs
    ) {
      return "congested";
    }
    if (
      report.lossFraction < this.#cleanLoss && report.framesLostFraction === 0 &&
      report.queueDelayMs < this.#cleanQueueDelayMs
    ) {
      return "clean";
    }
    return "hold";
  }

  #describe(report: LinkReport): string {
    const parts: string[] = [];
    if (report.lossFraction > this.#congestedLoss) {
      parts.push(`loss ${Math.round(report.lossFraction * 100)}%`);
    }
    if (report.framesLostFraction > this.#congestedFramesLost) {
      parts.push(`frames lost ${Math.round(report.framesLostFraction * 100)}%`);
    }
    if (report.queueDelayMs > this.#congestedQueueDelayMs) {
      parts.push(`queue delay ${Math.round(report.queueDelayMs)} ms`);
    }
    return parts.join(", ");
  }
}
