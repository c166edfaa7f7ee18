/** How many keepalive round trips the clock offset is chosen from. */
const OFFSET_WINDOW = 128;
/** The smoothed round trip takes the least of this many newest round trips. */
const RTT_FILTER = 3;
/** A round trip longer than this, in ms, is not believed. */
const MAX_RTT_MS = 60_000;

/**
 * The round trip to the sender and the offset of its clock, measured from
 * its answers: each echoes when this receiver asked, and says when the
 * sender answered. Pure: times are given by the caller.
 */
export class RoundTrip {
  #rttMs: number | undefined;
  #srttMs: number | undefined;
  #clockOffsetMs = 0;
  /** Recent round trips and the clock offsets they gave, newest last. */
  #samples: Array<{ rtt: number; offset: number }> = [];

  /** The last round trip measured, in ms. */
  get rttMs(): number | undefined {
    return this.#rttMs;
  }

  /**
   * The smoothed round trip (RFC 6298's SRTT, fed with the least of the last
   * three round trips), in ms.
   */
  get srttMs(): number | undefined {
    return this.#srttMs;
  }

  /**
   * The sender's clock minus ours, in ms, from the round trip with the least
   * delay; add it to a local time to compare with a capture time.
   */
  get clockOffsetMs(): number {
    return this.#clockOffsetMs;
  }

  /**
   * Forgets the round trips the clock offset is chosen from, as for a new
   * session; the values measured so far stay until the next answer.
   */
  forgetSamples(): void {
    this.#samples = [];
  }

  /**
   * Takes an answer received at `now` that echoes `echoTime` (ours) and was
   * sent at `senderTime` (the sender's clock). A round trip below 0 or over a
   * minute is ignored.
   */
  measure(echoTime: number, senderTime: number, now: number): void {
    const rtt = now - echoTime;
    if (!(rtt >= 0) || rtt > MAX_RTT_MS) return;
    this.#rttMs = rtt;
    // The sample with the least delay over the last half minute or so gives the
    // offset: the window lets it follow clocks that drift apart.
    this.#samples.push({ rtt, offset: senderTime - (echoTime + now) / 2 });
    if (this.#samples.length > OFFSET_WINDOW) this.#samples.shift();
    // A stall of either side only ever lengthens a round trip: the least of the
    // last few keeps one stalled answer out of the smoothed value, and a value
    // far below it (the first round trip was stalled) replaces it at once.
    let least = rtt;
    for (const sample of this.#samples.slice(-RTT_FILTER)) least = Math.min(least, sample.rtt);
    this.#srttMs = this.#srttMs === undefined || least < this.#srttMs / 2
      ? least
      : this.#srttMs * 0.875 + least * 0.125;
    let best = this.#samples[0];
    for (const sample of this.#samples) if (sample.rtt <= best.rtt) best = sample;
    this.#clockOffsetMs = best.offset;
  }
}
