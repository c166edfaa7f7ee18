/**
 * When every datagram for this long (ms), and at least this many, has been
 * older than the newest frame, that frame's number was wrong (a corrupted or
 * forged datagram far ahead): the reassembler starts over from what arrives.
 */
const RESYNC_MS = 1000;
const RESYNC_DATAGRAMS = 30;
/** A jump ahead of more frames than this is a discontinuity, not frames lost. */
const MAX_LOST_RUN = 1000;

/** What {@linkcode FrameOrder.admit} makes of a datagram's frame number. */
export type Admission = "ok" | "late" | "resync";

/**
 * Where a reassembler stands in the frame numbers: the floor, at or below
 * which no frame is started again (it was emitted or given up), and the
 * highest frame that has had a datagram, from which frames skipped over are
 * counted. It starts over when datagrams older than the floor have kept
 * coming for a second. Pure: times are given by the caller.
 */
export class FrameOrder {
  /** No frame at or below this number is started again: it was emitted or given up. */
  #floor = -1;
  /** The highest frame number that has had a datagram. */
  #highest = -1;
  /** Datagrams in a row older than the floor, and since when. */
  #lateRun = 0;
  #lateSince = 0;

  /** No frame at or below this number is started again; -1 before any. */
  get floor(): number {
    return this.#floor;
  }

  /**
   * Judges a datagram of `frame` received at `now`: `ok` above the floor,
   * `late` at or below it, and `resync` once at least 30 datagrams in a row
   * for at least 1 s were late: the floor was wrong, and is forgotten with
   * the highest frame.
   */
  admit(frame: number, now: number): Admission {
    let admission: Admission = "ok";
    if (frame <= this.#floor) {
      if (this.#lateRun++ === 0) this.#lateSince = now;
      if (this.#lateRun < RESYNC_DATAGRAMS || now - this.#lateSince < RESYNC_MS) return "late";
      this.reset();
      admission = "resync";
    }
    this.#lateRun = 0;
    return admission;
  }

  /**
   * Records that `frame` started, and says how many frames it skipped over
   * (none after a jump of more than 1000, a discontinuity); -1 for a frame
   * not above the highest: one skipped over before may have turned up.
   */
  start(frame: number): number {
    if (frame <= this.#highest) return -1;
    const run = this.#highest < 0 ? 0 : frame - this.#highest - 1;
    this.#highest = frame;
    return run > MAX_LOST_RUN ? 0 : run;
  }

  /** Records that `frame` was given up: no frame at or below it starts again. */
  gaveUp(frame: number): void {
    if (frame > this.#floor) this.#floor = frame;
  }

  /** Records that `frame` was emitted: the floor is now that frame. */
  emitted(frame: number): void {
    this.#floor = frame;
  }

  /** Forgets the floor and the highest frame, as for a new session. */
  reset(): void {
    this.#floor = -1;
    this.#highest = -1;
  }
}
