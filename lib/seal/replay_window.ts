/** How many counters back a datagram may come, reordered, and still count. */
export const REPLAY_WINDOW_SIZE = 4096;

/**
 * How far past the newest counter seen the next may jump: 2^20 datagrams,
 * over 25 s of the sender's peak rate, while a silent receiver is dropped
 * after 5 s. A farther jump is refused, not taken: a counter far ahead
 * would otherwise shift the window past every datagram still to come.
 */
export const MAX_COUNTER_JUMP = 2 ** 20;

/**
 * A sliding replay window (RFC 4303, section 3.4.3): it accepts each counter
 * once, from the newest seen back {@linkcode REPLAY_WINDOW_SIZE} places, and
 * refuses repeats, anything older, and anything more than
 * {@linkcode MAX_COUNTER_JUMP} ahead of the newest. The first counter may be
 * anything: a side's counter starts at random. Feed it only counters of
 * datagrams that authenticated.
 */
export class ReplayWindow {
  #bits = new Uint32Array(REPLAY_WINDOW_SIZE / 32);
  #top = -1;

  /** Whether `counter` is new; if it is, it is remembered. */
  accept(counter: number): boolean {
    if (!Number.isSafeInteger(counter) || counter < 0) return false;
    if (counter > this.#top) {
      const ahead = counter - this.#top;
      if (this.#top >= 0 && ahead > MAX_COUNTER_JUMP) return false;
      if (this.#top < 0 || ahead >= REPLAY_WINDOW_SIZE) {
        this.#bits.fill(0);
      } else {
        for (let c = this.#top + 1; c < counter; c++) this.#clear(c);
      }
      this.#top = counter;
      this.#set(counter);
      return true;
    }
    if (this.#top - counter >= REPLAY_WINDOW_SIZE) return false;
    const slot = counter % REPLAY_WINDOW_SIZE;
    if ((this.#bits[slot >>> 5] & (1 << (slot & 31))) !== 0) return false;
    this.#set(counter);
    return true;
  }

  #set(counter: number): void {
    const slot = counter % REPLAY_WINDOW_SIZE;
    this.#bits[slot >>> 5] |= 1 << (slot & 31);
  }

  #clear(counter: number): void {
    const slot = counter % REPLAY_WINDOW_SIZE;
    this.#bits[slot >>> 5] &= ~(1 << (slot & 31));
  }
}
