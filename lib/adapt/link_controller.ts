/**
 * One receiver's congestion controller. The file is longer than most because
 * each of the controller's thresholds is documented where it is set, and its
 * down, up and probe rules share their state and read best as one class.
 *
 * @module
 */
import type { LinkReport } from "./link_report.ts";

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
   * A report is clean only with less queueing delay than this, in ms (and no
   * frame lost, and loss below `congestedLoss`: loss that recovery repairs
   * does not hold a link back).
   * @default {10}
   */
  cleanQueueDelayMs?: number;
  /**
   * How long each report's counters cover, in ms. Loss or frames lost step
   * down only when two consecutive windows show it: the report now, and the
   * newest one at least this much older. One burst (a pause of either side,
   * a blackout) falls in one window, or is split between two that overlap.
   * @default {1000}
   */
  windowMs?: number;
  /**
   * Queueing delay alone steps down only once it has lasted this long, in ms:
   * longer than the receiver's estimate takes to forget a step in the path's
   * own delay (a route change), so that only a queue still building counts.
   * @default {2000}
   */
  queueSustainMs?: number;
  /**
   * After a step down, reports are ignored for this long, in ms, while the change
   * takes effect and queues drain.
   * @default {1000}
   */
  holdMs?: number;
  /**
   * Clean reports for this long, in ms, earn a step up; the wait doubles after
   * each failed probe and halves back after each probe a clean window confirms.
   * @default {3000}
   */
  upAfterMs?: number;
  /**
   * The longest wait for a step up, in ms.
   * @default {60000}
   */
  maxUpAfterMs?: number;
  /**
   * A step up is a probe for this long, in ms: the first congested report
   * after it fails it, and the level goes back where it came from; a clean
   * window after it confirms it, and the next rung up follows at once.
   * A link that fits a rung only just fills its queue slowly: the probe that
   * took it there fails seconds later.
   * @default {10000}
   */
  probeMs?: number;
}

/** What a rung down saves, about: each sends about this share of the bytes of the one above. */
const RUNG_RATIO = 0.8;
/** The most rungs one step down goes. */
const MAX_RUNGS = 3;

/**
 * How many rungs one step down goes for a link losing `loss` (0 to 1) before
 * recovery: as many as bring what is sent under what gets through, at about
 * {@linkcode RUNG_RATIO} a rung, from 1 to {@linkcode MAX_RUNGS}. A link
 * losing half of what it is sent goes down 3 rungs at once instead of in 3
 * steps of 2 s each.
 */
export function stepsFor(loss: number): number {
  if (!(loss > 0)) return 1;
  if (loss >= 1) return MAX_RUNGS;
  return Math.min(MAX_RUNGS, Math.max(1, Math.ceil(Math.log(1 - loss) / Math.log(RUNG_RATIO))));
}

/** What the controller keeps of each report, for the window before. */
interface Judged {
  at: number;
  /** Loss or frames lost over the congested thresholds. */
  lossy: boolean;
  /** What was over them, as the log says it. */
  evidence: string;
  /** Heavy loss or a queue: a link too narrow for what it is sent. */
  narrow: boolean;
}

/**
 * One receiver's congestion controller on a ladder of `levels` rungs (level 0
 * is the best). Fed with the receiver's reports and a clock, it asks for a
 * level ({@linkcode step}) when what it sees persists:
 *
 * - **Down** when loss or frames lost show in two consecutive report
 *   windows, or queueing delay lasts `queueSustainMs`: one rung, or up to
 *   three on a link that loses much of what it is sent ({@linkcode stepsFor});
 *   then it ignores reports for `holdMs`. A single burst, however large, is
 *   not congestion.
 * - **Up** after `upAfterMs` of clean reports, one rung; then, as long as
 *   a window after each step is clean, twice as many rungs as the step
 *   before (1, 2, 4…), so a link that comes back after a transient is
 *   climbed in seconds instead of a wait a rung. Clean means no frame lost, no queue, and no more loss than
 *   recovery repairs.
 * - **A step up is a probe** for `probeMs`: the link was clean before it, so
 *   the first congested report after it sends the level back to where it
 *   came from, and doubles the wait before
 *   the next probe (up to `maxUpAfterMs`), so a link that fits just below a
 *   rung is probed less and less often; a clean window after a step as high
 *   as the last failed probe halves the wait back towards `upAfterMs`.
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
  #cleanQueueDelayMs: number;
  #windowMs: number;
  #queueSustainMs: number;
  #holdMs: number;
  #initialUpAfterMs: number;
  #maxUpAfterMs: number;
  #probeMs: number;
  #upAfterMs: number;
  #judged: Judged[] = [];
  #queueSince: number | undefined;
  #holdUntil: number | undefined;
  #cleanSince: number | undefined;
  #probe: { at: number; from: number } | undefined;
  /** The level the last failed probe went to, until one as good holds. */
  #failed: number | undefined;
  #step = 0;
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
    this.#cleanQueueDelayMs = options.cleanQueueDelayMs ?? 10;
    this.#windowMs = options.windowMs ?? 1000;
    this.#queueSustainMs = options.queueSustainMs ?? 2000;
    this.#holdMs = options.holdMs ?? 1000;
    this.#initialUpAfterMs = options.upAfterMs ?? 3000;
    this.#maxUpAfterMs = Math.max(this.#initialUpAfterMs, options.maxUpAfterMs ?? 60_000);
    this.#probeMs = options.probeMs ?? 10_000;
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

  /** The level the last step asked for: one rung down or up, or the level a failed probe came from. */
  get step(): number {
    return this.#step;
  }

  /**
   * Whether the last step down was for a narrow link (heavy loss, or a queue
   * building up, in either window of its evidence) rather than only for
   * frames lost on a poor one.
   */
  get narrow(): boolean {
    return this.#narrow;
  }

  /**
   * Why the last step was asked for, with its evidence: "loss 22%, then loss 18%",
   * "queue delay 85 ms for 2.0 s", "probe failed: loss 30%", "clean for 3 s",
   * "clean since the last step"; empty before any step.
   */
  get reason(): string {
    return this.#reason;
  }

  /**
   * Takes the report received at `now` (ms, any monotonic clock) and returns
   * the step it calls for, if any, with the level asked for in
   * {@linkcode step}. The caller applies it through {@linkcode level}.
   * Never asks to go below level 0 or past the last level.
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
    // A probe neither failed nor confirmed this long is over, and changes no wait.
    if (this.#probe !== undefined && now - this.#probe.at >= this.#probeMs) this.#probe = undefined;
    if (this.#holdUntil !== undefined) {
      if (now < this.#holdUntil) return undefined;
      this.#holdUntil = undefined;
    }
    const lossy = lossFraction > this.#congestedLoss ||
      framesLostFraction > this.#congestedFramesLost;
    const queued = queueDelayMs > this.#congestedQueueDelayMs;
    const before = this.#windowBefore(now);
    const narrow = lossFraction > this.#congestedLoss || queued;
    this.#judged.push({ at: now, lossy, evidence: lossy ? this.#describe(report) : "", narrow });
    if (queued) this.#queueSince ??= now;
    else this.#queueSince = undefined;

    const clean = !lossy && framesLostFraction === 0 && queueDelayMs < this.#cleanQueueDelayMs;
    const probe = this.#probe;
    if (probe !== undefined && now > probe.at && (lossy || queued)) {
      // The link was clean before the step up: congestion now is the step's.
      this.#upAfterMs = Math.min(this.#maxUpAfterMs, this.#upAfterMs * 2);
      this.#failed = Math.min(this.#failed ?? Infinity, this.#level);
      return this.#down(narrow, probe.from, `probe failed: ${this.#describe(report)}`, now);
    }
    if (probe !== undefined && now - this.#windowMs >= probe.at) {
      // A window wholly after the step up.
      if (clean) {
        // The step held: go on climbing. Holding as high as a probe that
        // failed means the link got better: wait less before the next probe.
        // Climbing back below it (after a step too far down) changes no wait.
        if (this.#failed === undefined || this.#level <= this.#failed) {
          this.#upAfterMs = Math.max(this.#initialUpAfterMs, this.#upAfterMs / 2);
          this.#failed = undefined;
        }
        this.#probe = undefined;
        // On up, twice as many rungs as the step that held (as TCP's slow
        // start doubles its window), to the rung below a probe that failed;
        // that one waits its turn.
        const rungs = 2 * (probe.from - this.#level);
        const next = Math.max(this.#level - rungs, 0, (this.#failed ?? -1) + 1);
        if (next < this.#level) return this.#up(now, "clean since the last step", next);
      }
    }
    const lossLasts = lossy && before?.lossy === true;
    const queueLasts = this.#queueSince !== undefined &&
      now - this.#queueSince >= this.#queueSustainMs;
    if ((lossLasts || queueLasts) && this.#level < this.#levels - 1) {
      const evidence = lossLasts
        ? `${before!.evidence}, then ${this.#describe(report)}`
        : `queue delay ${Math.round(queueDelayMs)} ms for ${
          ((now - this.#queueSince!) / 1000).toFixed(1)
        } s`;
      // Either window narrow makes the link narrow: a queue that overflows
      // now and then loses many datagrams in one window, and in the next only
      // the frames whose repair came too late.
      const narrowLink = narrow || (lossLasts && before!.narrow);
      return this.#down(narrowLink, this.#level + stepsFor(lossFraction), evidence, now);
    }

    if (!clean) {
      this.#cleanSince = undefined;
      return undefined;
    }
    this.#cleanSince ??= now;
    const cleanFor = now - this.#cleanSince;
    if (this.#probe !== undefined || cleanFor < this.#upAfterMs || this.#level === 0) {
      return undefined;
    }
    return this.#up(now, `clean for ${Math.round(cleanFor / 100) / 10} s`, this.#level - 1);
  }

  #up(now: number, reason: string, level: number): LinkStep {
    this.#cleanSince = now;
    this.#probe = { at: now, from: this.#level };
    this.#step = level;
    this.#reason = reason;
    return "up";
  }

  /** The newest report at least a window before `now`, dropping those too old to matter. */
  #windowBefore(now: number): Judged | undefined {
    const judged = this.#judged;
    while (judged.length > 1 && now - judged[1].at >= this.#windowMs) judged.shift();
    const first = judged[0];
    return first !== undefined && now - first.at >= this.#windowMs ? first : undefined;
  }

  #down(narrow: boolean, level: number, reason: string, now: number): LinkStep {
    this.#step = Math.min(this.#levels - 1, Math.max(level, this.#level + 1));
    this.#probe = undefined;
    this.#judged = [];
    this.#queueSince = undefined;
    this.#cleanSince = undefined;
    this.#holdUntil = now + this.#holdMs;
    this.#reason = reason;
    this.#narrow = narrow;
    return "down";
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
