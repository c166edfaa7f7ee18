/**
 * The wall clock in milliseconds since the Unix epoch, with sub-millisecond
 * precision and no backward steps within a process. Capture times, latency and
 * the round trip are all measured with it.
 */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}
