/**
 * One way to re-encode a frame smaller: its JPEG quality, and its size as a
 * share of the source's width and height.
 */
export interface FitRung {
  quality: number;
  scale: number;
}

/**
 * The rungs a frame too large for one datagram steps down, smallest change
 * first: quality first, as the tutorial's own server set it (80) and lower,
 * then the size. The last one fits any frame up to 4K.
 */
export const FIT_LADDER: readonly FitRung[] = [
  { quality: 70, scale: 1 },
  { quality: 55, scale: 1 },
  { quality: 40, scale: 1 },
  { quality: 55, scale: 0.75 },
  { quality: 40, scale: 0.75 },
  { quality: 55, scale: 0.5 },
  { quality: 40, scale: 0.5 },
  { quality: 40, scale: 0.25 },
];

/** The share of the limit a frame must stay under for the next one to try a better rung. */
const ROOM_TO_CLIMB = 0.6;

/**
 * Where the next frame starts on {@linkcode FIT_LADDER}, from where the last
 * one fitted and how large it came out: one rung better when it left plenty
 * of room (frames change slowly, so this climbs back as a scene gets
 * simpler), the same rung otherwise.
 *
 * @param rung The rung the last frame fitted at.
 * @param bytes Its size.
 * @param max The largest size that fits.
 */
export function nextFitRung(rung: number, bytes: number, max: number): number {
  return rung > 0 && bytes <= max * ROOM_TO_CLIMB ? rung - 1 : rung;
}
