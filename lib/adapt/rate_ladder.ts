/** One setting of the stream, from the best (rung 0) down to the smallest. */
export interface Rung {
  /** Absolute JPEG quality, 1 to 100. */
  quality: number;
  /** The fraction of the source's frames sent, in (0, 1]. */
  fpsScale: number;
  /** The fraction of the source's width sent, in (0, 1]; the height follows. */
  widthScale: number;
}

/** Options for {@linkcode buildLadder}. */
export interface LadderOptions {
  /** The JPEG quality of rung 0, a whole number from 1 to 100. */
  quality: number;
  /** Whether the sender encodes frames; without it they pass through as they are. */
  reencode: boolean;
}

/** Each quality rung is this much below the one before it. */
const QUALITY_STEP = 15;
/** No quality rung goes below this. */
const QUALITY_FLOOR = 20;
/** The fps rungs below 1, at the lowest quality. */
const FPS_SCALES = [9 / 10, 5 / 6, 2 / 3, 1 / 2, 1 / 3];
/** The width rungs below 1, at the lowest quality and fps. */
const WIDTH_SCALES = [0.75, 0.5];

/**
 * The rungs the sender steps down when a link is congested: first JPEG
 * quality, by 15 at a time while it stays at 20 or more; then, at the lowest
 * quality, the frame rate (9/10, 5/6, 2/3, 1/2, 1/3 of the source's frames: the first
 * step small, since it is where a link a little too narrow for quality 20 stops); then, at the
 * lowest quality and frame rate, the width (3/4, then 1/2). Quality costs the
 * least to give up, width the most. Frames passed through as they are cannot
 * change quality or size, so without `reencode` only the fps rungs exist.
 * Every rung sends fewer bytes than the one before it.
 *
 * @example
 * ```ts
 * buildLadder({ quality: 80, reencode: true }).map((r) => r.quality);
 * // [80, 65, 50, 35, 20, 20, 20, 20, 20, 20, 20, 20]
 * ```
 *
 * @throws {RangeError} If the quality is not a whole number from 1 to 100.
 */
export function buildLadder(options: LadderOptions): Rung[] {
  const { quality, reencode } = options;
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new RangeError(`Quality must be a whole number from 1 to 100, got ${quality}`);
  }
  const ladder: Rung[] = [{ quality, fpsScale: 1, widthScale: 1 }];
  let lowest = quality;
  if (reencode) {
    while (lowest - QUALITY_STEP >= QUALITY_FLOOR) {
      lowest -= QUALITY_STEP;
      ladder.push({ quality: lowest, fpsScale: 1, widthScale: 1 });
    }
  }
  for (const fpsScale of FPS_SCALES) ladder.push({ quality: lowest, fpsScale, widthScale: 1 });
  if (reencode) {
    const fpsScale = FPS_SCALES[FPS_SCALES.length - 1];
    for (const widthScale of WIDTH_SCALES) ladder.push({ quality: lowest, fpsScale, widthScale });
  }
  return ladder;
}
