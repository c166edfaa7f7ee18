const cell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Waits `ms` milliseconds. Timers in Deno fire no sooner than about 2 ms, too
 * coarse to pace datagrams, so a wait under 3 ms blocks the thread on
 * `Atomics.wait` (no CPU is spent) and a longer one uses a timer.
 */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  if (ms < 3) {
    Atomics.wait(cell, 0, 0, ms);
    return Promise.resolve();
  }
  return new Promise((resolve) => setTimeout(resolve, ms));
}
