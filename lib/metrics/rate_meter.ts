/** Events per second and bytes per second over a sliding window. */
export interface Rate {
  /** Events per second. */
  perSecond: number;
  /** Bits per second. */
  bitsPerSecond: number;
}

/**
 * Measures a rate of events carrying bytes (frames, say) over the last
 * `windowMs`. It holds one entry per event in the window, so it suits events
 * that come at tens or hundreds a second, not per datagram.
 */
export class RateMeter {
  #windowMs: number;
  #times: number[] = [];
  #bytes: number[] = [];
  #head = 0;

  /** Creates a meter over the last `windowMs` ms (@default 2000). */
  constructor(windowMs = 2000) {
    this.#windowMs = windowMs;
  }

  /** Records one event of `bytes` at `now` (ms). */
  add(bytes: number, now: number): void {
    this.#times.push(now);
    this.#bytes.push(bytes);
    this.#trim(now);
  }

  /** The rate over the window ending at `now`. */
  rate(now: number): Rate {
    this.#trim(now);
    let bytes = 0;
    for (let i = this.#head; i < this.#bytes.length; i++) bytes += this.#bytes[i];
    const seconds = this.#windowMs / 1000;
    return {
      perSecond: (this.#times.length - this.#head) / seconds,
      bitsPerSecond: (bytes * 8) / seconds,
    };
  }

  #trim(now: number): void {
    const cutoff = now - this.#windowMs;
    while (this.#head < this.#times.length && this.#times[this.#head] <= cutoff) this.#head++;
    if (this.#head > 256 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#bytes = this.#bytes.slice(this.#head);
      this.#head = 0;
    }
  }
}
