/**
 * The pauses before starting a failed ffmpeg again: each failure in a row
 * waits the next pause of the list, the last one repeating, until the row is
 * ended by a run that went well.
 *
 * @example
 * ```ts
 * const backoff = new RestartBackoff([1000, 2000]);
 * backoff.fail(); // 1000
 * backoff.fail(); // 2000
 * backoff.fail(); // 2000
 * backoff.reset();
 * backoff.fail(); // 1000
 * ```
 */
export class RestartBackoff {
  #pausesMs: number[];
  #failures = 0;

  /**
   * Makes the schedule.
   *
   * @param pausesMs The pauses in milliseconds, in order; the last one repeats.
   * @throws {RangeError} If the list is empty, or a pause is not 0 or more.
   */
  constructor(pausesMs: readonly number[]) {
    if (pausesMs.length === 0 || pausesMs.some((ms) => !(ms >= 0))) {
      throw new RangeError("Backoff must be a non-empty list of pauses of 0 ms or more");
    }
    this.#pausesMs = [...pausesMs];
  }

  /** How many failures the row has so far. */
  get failures(): number {
    return this.#failures;
  }

  /** Counts one more failure in the row, and returns the pause before the next start, in ms. */
  fail(): number {
    const pauseMs = this.#pausesMs[Math.min(this.#failures, this.#pausesMs.length - 1)];
    this.#failures += 1;
    return pauseMs;
  }

  /** Ends the row: the next failure waits the first pause again. */
  reset(): void {
    this.#failures = 0;
  }
}
