/**
 * A seeded pseudo-random generator (mulberry32): 32 bits of state, a period of
 * 2^32, and the same sequence of numbers in [0, 1) for the same seed on every
 * machine. Good enough to draw impairments; not for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
