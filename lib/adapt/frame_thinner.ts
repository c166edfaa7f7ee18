/** Slack for sums of fractions such as 1/3 + 1/3 + 1/3 that fall just short of 1. */
const EPSILON = 1e-9;

/**
 * Decides, source frame by source frame, whether one receiver gets the frame,
 * so that it gets a share `scale` of them, evenly spread: 2/3 sends exactly 2
 * of every 3 frames, 1/2 every other one, 1 all of them. A credit
 * accumulator: each frame adds `scale`, a frame is sent when the credit
 * reaches 1, which it then costs. The credit left between frames is below 1,
 * so raising the scale never releases a burst of frames saved up at a lower
 * one. The first frame is always sent, so a new receiver gets a picture at
 * once.
 */
export class FrameThinner {
  #credit: number | undefined;

  /**
   * Returns whether the next source frame goes to this receiver, which gets a
   * share `scale` of the frames, in (0, 1].
   *
   * @throws {RangeError} If the scale is not in (0, 1].
   */
  admit(scale: number): boolean {
    if (!(scale > 0 && scale <= 1)) {
      throw new RangeError(`The frame share must be above 0 and at most 1, got ${scale}`);
    }
    // A fresh thinner starts with just enough credit for its first frame.
    const credit = (this.#credit ?? 1 - scale) + scale;
    if (credit < 1 - EPSILON) {
      this.#credit = credit;
      return false;
    }
    // Credit below 1 before and a scale of at most 1 leave less than 1 after: the
    // credit is capped at one frame, whatever scale it was saved at.
    this.#credit = Math.min(Math.max(0, credit - 1), 1 - EPSILON);
    return true;
  }
}
