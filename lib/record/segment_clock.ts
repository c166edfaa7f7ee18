/** Options for a {@linkcode SegmentClock}. */
export interface SegmentClockOptions {
  /** How long a segment lasts, in seconds: cuts fall on multiples of it on the local clock. */
  segmentSeconds: number;
  /**
   * How long after each multiple the cut waits, in ms. ffmpeg names a
   * segment from `time()`, which on Linux lags the true clock by up to a
   * tick (4 ms at 250 Hz): a cut right at 15:30:00.002 could be named
   * 15:29:59 and overwrite the file of that second.
   *
   * @default {50}
   */
  guardMs?: number;
}

/**
 * Says which frames start a new segment: the first one written at or after
 * each multiple of the segment time on the local clock (15:30:00, 15:40:00,
 * ... for 10 minutes), plus `guardMs`. One cut per change of period, however
 * many periods a gap in the frames spans, so two cuts are never in the same
 * second and files named to the second never collide.
 */
export class SegmentClock {
  #periodMs: number;
  #guardMs: number;
  #period: number | undefined;

  /** Makes a clock; the first frame it sees starts the first segment. */
  constructor(options: SegmentClockOptions) {
    const { segmentSeconds, guardMs = 50 } = options;
    if (!(segmentSeconds >= 1)) throw new RangeError("Segments must last 1 s or more");
    if (!(guardMs >= 0 && guardMs < 500)) throw new RangeError("Guard must be 0 to 499 ms");
    this.#periodMs = segmentSeconds * 1000;
    this.#guardMs = guardMs;
  }

  /**
   * Whether a frame written at `now` (ms since the Unix epoch) starts a new
   * segment: false for the first frame, then true once each time the period
   * on the local clock changes.
   */
  cuts(now: number): boolean {
    const local = now - new Date(now).getTimezoneOffset() * 60_000;
    const period = Math.floor((local - this.#guardMs) / this.#periodMs);
    const previous = this.#period;
    this.#period = period;
    return previous !== undefined && period !== previous;
  }
}
