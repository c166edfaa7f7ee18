/** A frame costs one start of the budget per this many fragments. */
const FRAGMENTS_PER_START = 256;

/** What starting a frame of `count` fragments costs of a {@linkcode StartBudget}. */
export function startsFor(count: number): number {
  return Math.ceil(count / FRAGMENTS_PER_START);
}

/** Options for a {@linkcode StartBudget}. */
export interface StartBudgetOptions {
  /** Starts given back each second. */
  perSecond: number;
  /** Starts that may be spent at once; the budget starts full. */
  burst: number;
}

/**
 * How many frames a reassembler may start and never complete: a token
 * bucket topped up with `perSecond` starts a second, up to `burst`. A frame
 * costs one start per 256 fragments ({@linkcode startsFor}), and a frame that
 * completes gives its starts back. Pure: times are given by the caller.
 */
export class StartBudget {
  #perSecond: number;
  #burst: number;
  /** Starts left, and when they were last topped up. */
  #starts: number;
  #at = NaN;

  /** A full budget. */
  constructor(options: StartBudgetOptions) {
    this.#perSecond = options.perSecond;
    this.#burst = options.burst;
    this.#starts = options.burst;
  }

  /** Starts left now, as of the last top-up. */
  get starts(): number {
    return this.#starts;
  }

  /** Tops the budget up to `now`, and says whether `cost` starts are left. */
  canStart(cost: number, now: number): boolean {
    const elapsed = now - this.#at;
    if (elapsed > 0) {
      this.#starts = Math.min(this.#burst, this.#starts + (elapsed * this.#perSecond) / 1000);
    }
    // From the first call on; a clock that stepped back tops up nothing.
    this.#at = now;
    return this.#starts >= cost;
  }

  /** Spends `cost` starts. */
  spend(cost: number): void {
    this.#starts -= cost;
  }

  /** Gives `cost` starts back, up to the burst: the frame they started completed. */
  giveBack(cost: number): void {
    this.#starts = Math.min(this.#burst, this.#starts + cost);
  }
}
