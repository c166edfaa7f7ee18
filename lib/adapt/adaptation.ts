import { LinkController, type LinkControllerOptions, type LinkStep } from "./link_controller.ts";
import type { LinkReport } from "./link_report.ts";
import type { Rung } from "./rate_ladder.ts";

/** A change of what is sent, reported by an {@linkcode Adaptation}. */
export type AdaptationChange =
  | {
    /** The rung every receiver's quality and width come from changed. */
    type: "shared";
    /** The shared rung before. */
    from: Rung;
    /** The shared rung now. */
    to: Rung;
    /** The shared level now. */
    level: number;
    /** The receiver whose report or departure caused the change. */
    receiver: string;
    /** Why, as "loss 12%", "clean for 5 s" or "receiver b left". */
    reason: string;
  }
  | {
    /** The share of frames one receiver gets changed. */
    type: "receiver";
    /** The receiver. */
    receiver: string;
    /** Its effective rung before, as {@linkcode Adaptation.rungFor} gave it. */
    from: Rung;
    /** Its effective rung now. */
    to: Rung;
    /** Its own level now. */
    level: number;
    /** Why, as "queue delay 85 ms" or "clean for 5 s". */
    reason: string;
  };

/** Options for an {@linkcode Adaptation}. */
export interface AdaptationOptions {
  /** The rungs, best first, as `buildLadder()` makes them. */
  ladder: Rung[];
  /**
   * Thresholds and timings of each receiver's {@linkcode LinkController};
   * `levels` and `level` are set by the adaptation.
   * @default {{}}
   */
  controller?: Partial<LinkControllerOptions>;
  /**
   * Called when the shared rung's quality or width changes, and when a
   * receiver's share of frames changes.
   * @default {() => {}}
   */
  onChange?: (change: AdaptationChange) => void;
}

/**
 * Adapts one stream to several receivers' links. Each receiver has its own
 * {@linkcode LinkController} walking the ladder; the policy combines them:
 *
 * - JPEG quality and width are shared (one encoder). The shared level is the
 *   better median of the receivers' levels: sort them ascending and take index
 *   `floor((n - 1) / 2)`. One receiver: its own level; two: the better one;
 *   three or more: a single bad link cannot lower the others' picture.
 * - Frame rate is per receiver (frames are independent JPEGs): a receiver gets
 *   the quality and width of the shared rung and the fps share of its own
 *   level, so one whose link is worse than the shared level gets fewer frames.
 * - With no receivers the shared level is 0. A receiver seen for the first
 *   time starts at the shared level, so a join never changes the picture.
 * - Frames lost on a link that is neither losing heavily nor queueing (a
 *   poor link, not a narrow one) lower quality only: smaller frames have
 *   fewer datagrams to lose, while fewer frames would not help.
 * - A step that would not change what the receiver gets (such as a minority
 *   receiver walking down quality rungs the majority keeps high) goes on in
 *   the same direction until it does or the ladder ends, so it reaches its
 *   first fps rung at once instead of lingering. A step up goes on to the best
 *   level that gives the same, so a receiver back at full frame rate leaves
 *   the quality rungs it skipped on the way down.
 *
 * Pure: fed with reports and a clock, it tells the sender what to encode
 * ({@linkcode shared}) and what to send each receiver ({@linkcode rungFor}).
 */
export class Adaptation {
  #ladder: Rung[];
  #controllerOptions: Partial<LinkControllerOptions>;
  #onChange: (change: AdaptationChange) => void;
  #controllers = new Map<string, LinkController>();
  #level = 0;
  /** The last rung that only lowers quality. */
  #lastQualityRung: number;

  /**
   * Creates an adaptation with no receivers, at level 0.
   *
   * @throws {RangeError} If the ladder is empty.
   */
  constructor(options: AdaptationOptions) {
    if (options.ladder.length === 0) throw new RangeError("The ladder needs at least one rung");
    this.#ladder = options.ladder.map((rung) => ({ ...rung }));
    this.#lastQualityRung = this.#ladder.findLastIndex((rung) =>
      rung.fpsScale === 1 && rung.widthScale === 1
    );
    this.#controllerOptions = options.controller ?? {};
    this.#onChange = options.onChange ?? (() => {});
  }

  /** The shared level: the better median of the receivers' levels, 0 with none. */
  get level(): number {
    return this.#level;
  }

  /** The shared rung: encode with its quality and width. Its fpsScale applies to no one in particular. */
  get shared(): Rung {
    return { ...this.#ladder[this.#level] };
  }

  /** The receivers with a controller, in the order they were first seen. */
  get receivers(): string[] {
    return [...this.#controllers.keys()];
  }

  /** The receiver's own level; the shared level for a receiver not seen yet. */
  levelOf(receiver: string): number {
    return this.#controllers.get(receiver)?.level ?? this.#level;
  }

  /**
   * What to send the receiver: quality and width of the shared rung, fpsScale
   * of its own level. A receiver not seen yet gets the shared rung, as it would
   * on its first report.
   */
  rungFor(receiver: string): Rung {
    const shared = this.#ladder[this.#level];
    return {
      quality: shared.quality,
      fpsScale: this.#ladder[this.levelOf(receiver)].fpsScale,
      widthScale: shared.widthScale,
    };
  }

  /**
   * Takes the report of `receiver` received at `now` (ms, any monotonic
   * clock), moves its level and the shared level as the policy says, and
   * calls `onChange` for what changed.
   *
   * @throws {RangeError} If a field of the report is negative or not a number.
   */
  update(receiver: string, report: LinkReport, now: number): void {
    let controller = this.#controllers.get(receiver);
    if (controller === undefined) {
      controller = new LinkController({
        ...this.#controllerOptions,
        levels: this.#ladder.length,
        level: this.#level,
      });
      // A receiver at the shared level never moves the better median.
      this.#controllers.set(receiver, controller);
    }
    const step = controller.update(report, now);
    if (step !== undefined) this.#step(receiver, controller, step);
  }

  /** Forgets a receiver that left; the shared level may rise or fall without it. */
  remove(receiver: string): void {
    if (!this.#controllers.delete(receiver)) return;
    const before = this.#ladder[this.#level];
    this.#level = this.#median();
    this.#reportShared(before, receiver, `receiver ${receiver} left`);
  }

  #step(receiver: string, controller: LinkController, step: LinkStep): void {
    const direction = step === "down" ? 1 : -1;
    // Frames lost on a poor but wide link: fewer datagrams a frame help, fewer
    // frames do not. Only a narrow link goes past the quality rungs.
    if (
      step === "down" && !controller.narrow && controller.step === controller.level + 1 &&
      controller.step > this.#lastQualityRung
    ) {
      return;
    }
    const sharedBefore = this.#ladder[this.#level];
    const before = this.rungFor(receiver);
    const move = (level: number) => {
      controller.level = level;
      this.#level = this.#median();
    };
    // The level asked for, then on in the same direction while nothing changes.
    let level = controller.step;
    move(level);
    while (
      sameRung(this.rungFor(receiver), before) && level + direction >= 0 &&
      level + direction < this.#ladder.length
    ) {
      level += direction;
      move(level);
    }
    if (direction < 0) {
      // Up to the best level that gives the same: a receiver back at full frame
      // rate under a shared quality returns to level 0, not to a quality rung
      // that would drag the median down on its next step.
      const reached = this.rungFor(receiver);
      while (level > 0) {
        move(level - 1);
        if (!sameRung(this.rungFor(receiver), reached)) {
          move(level);
          break;
        }
        level--;
      }
    }
    const reason = controller.reason;
    this.#reportShared(sharedBefore, receiver, reason);
    const after = this.rungFor(receiver);
    if (after.fpsScale !== before.fpsScale) {
      this.#onChange({ type: "receiver", receiver, from: before, to: after, level, reason });
    }
  }

  #reportShared(before: Rung, receiver: string, reason: string): void {
    const after = this.#ladder[this.#level];
    if (after.quality === before.quality && after.widthScale === before.widthScale) return;
    this.#onChange({
      type: "shared",
      from: { ...before },
      to: { ...after },
      level: this.#level,
      receiver,
      reason,
    });
  }

  #median(): number {
    const levels = [...this.#controllers.values()].map((c) => c.level).sort((a, b) => a - b);
    if (levels.length === 0) return 0;
    return levels[Math.floor((levels.length - 1) / 2)];
  }
}

function sameRung(a: Rung, b: Rung): boolean {
  return a.quality === b.quality && a.fpsScale === b.fpsScale && a.widthScale === b.widthScale;
}
