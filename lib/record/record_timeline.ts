/** The two clocks a received frame carries, in ms since the Unix epoch. */
export interface FrameTimes {
  /** When the sender captured it, on the sender's clock. */
  captureTime: number;
  /** When its last datagram arrived, on this machine's clock. */
  receivedAt: number;
}

/** Options for a {@linkcode RecordTimeline}. */
export interface RecordTimelineOptions {
  /**
   * How far, in ms, the time between two captures may differ from the time
   * between their arrivals before the sender's clock is no longer trusted for
   * that step (it jumped, or the sender restarted on another machine).
   *
   * @default {2000}
   */
  maxSkewMs?: number;
}

/**
 * Gives each recorded frame its timestamp in a file: milliseconds from the
 * file's first frame, strictly increasing.
 *
 * The steps follow the sender's capture times, so a 10 fps source plays at
 * 10 fps whatever the network's jitter or the wait for a lost datagram added
 * on the way. A frame the recorder skipped leaves a gap as long as it was.
 * Where the capture clock goes back, stands still, or strays from the arrival
 * clock by more than `maxSkewMs`, the step follows the arrival times instead.
 */
export class RecordTimeline {
  #maxSkewMs: number;
  #last: FrameTimes | undefined;
  /** The exact time of the last frame, before rounding. */
  #position = 0;
  #lastStamp = -1;

  /** Makes a timeline whose first frame will be at 0 ms. */
  constructor(options: RecordTimelineOptions = {}) {
    const { maxSkewMs = 2000 } = options;
    if (!(maxSkewMs >= 0)) throw new RangeError("Maximum skew must be 0 ms or more");
    this.#maxSkewMs = maxSkewMs;
  }

  /** The frame's timestamp in whole milliseconds: 0 for the first, then always more. */
  stamp(frame: FrameTimes): number {
    const last = this.#last;
    this.#last = { captureTime: frame.captureTime, receivedAt: frame.receivedAt };
    if (last !== undefined) {
      const captured = frame.captureTime - last.captureTime;
      const received = frame.receivedAt - last.receivedAt;
      const trusted = captured > 0 && Math.abs(captured - received) <= this.#maxSkewMs;
      this.#position += trusted ? captured : Math.max(received, 0);
    }
    const stamp = Math.max(Math.round(this.#position), this.#lastStamp + 1);
    this.#lastStamp = stamp;
    return stamp;
  }
}
