/** Options for a {@linkcode Pacer}. */
export interface PacerOptions {
  /** The sustained rate, in bits per second. */
  bitsPerSecond: number;
  /** The most bytes sent back to back before pacing holds the sender. */
  burstBytes: number;
}

/**
 * A token bucket that spaces datagrams so that no burst is larger than
 * `burstBytes`: the receiver's socket buffer (about 90 datagrams of 1200 bytes
 * by default, and not settable from Deno) then never overflows, however large
 * the frame. Pure: the caller supplies the clock and does the waiting.
 */
export class Pacer {
  #bytesPerMs: number;
  #burst: number;
  #tokens: number;
  #last: number | undefined;

  /** Creates a pacer that starts with a full bucket. */
  constructor(options: PacerOptions) {
    if (!(options.bitsPerSecond > 0)) throw new RangeError("The pacing rate must be positive");
    if (!(options.burstBytes > 0)) throw new RangeError("The burst size must be positive");
    this.#bytesPerMs = options.bitsPerSecond / 8 / 1000;
    this.#burst = options.burstBytes;
    this.#tokens = options.burstBytes;
  }

  /**
   * Takes `bytes` from the bucket at `now` (ms) and returns how long to wait
   * before sending them: 0 while the burst lasts. When the bucket is empty the
   * wait also refills half the burst, so the sender sleeps once per half burst
   * rather than once per datagram.
   */
  take(bytes: number, now: number): number {
    if (this.#last !== undefined) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#bytesPerMs);
    }
    this.#last = now;
    this.#tokens -= bytes;
    if (this.#tokens >= 0) return 0;
    const wait = (-this.#tokens + this.#burst / 2) / this.#bytesPerMs;
    this.#tokens = this.#burst / 2;
    this.#last = now + wait;
    return wait;
  }
}
