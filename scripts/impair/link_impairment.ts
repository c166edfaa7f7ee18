import { type LinkProfile, type ResolvedLinkProfile, resolveLinkProfile } from "./link_profile.ts";
import { seededRandom } from "./seeded_random.ts";

/** What one direction of a link did to the packets it was given. */
export interface LinkCounters {
  /** Packets admitted. */
  packets: number;
  /** Bytes admitted. */
  bytes: number;
  /** Copies scheduled for delivery; a duplicated packet counts twice. */
  delivered: number;
  /** Packets lost to the loss model, in either of its forms. */
  lost: number;
  /** The part of `lost` lost in the bad state of the bursty model. */
  burstLost: number;
  /** Packets dropped because the rate cap's queue was full. */
  queueDrops: number;
  /** Packets delivered twice. */
  duplicated: number;
  /** Packets held back so that later ones overtake them. */
  reordered: number;
}

/** Counters with nothing counted yet. */
export function zeroLinkCounters(): LinkCounters {
  return {
    packets: 0,
    bytes: 0,
    delivered: 0,
    lost: 0,
    burstLost: 0,
    queueDrops: 0,
    duplicated: 0,
    reordered: 0,
  };
}

/** Options for a {@linkcode LinkImpairment}. */
export interface LinkImpairmentOptions {
  /** Seeds the random draws; the same seed gives the same decisions. */
  seed: number;
}

/**
 * One direction of an impaired link, as a pure function of the packets it is
 * given: {@linkcode admit} takes a packet's size and arrival time and answers
 * when its copies leave. Each packet draws the same four random numbers in the
 * same order (loss, duplicate, reorder, jitter) whatever happens to it, so
 * which packets a seed loses depends on their order alone, not on timing.
 *
 * The stages, in order: loss, then the rate cap's queue, then delay and
 * jitter, then reordering and duplication.
 */
export class LinkImpairment {
  #profile!: ResolvedLinkProfile;
  #random: () => number;
  #loss = 0;
  #goodToBad = 0;
  #badToGood = 1;
  #bad = false;
  #bitsPerMs: number | undefined;
  #lastDeparture = -Infinity;
  #lastInOrder = -Infinity;
  #counters: LinkCounters = zeroLinkCounters();

  /** Creates a link that impairs packets as `profile` says. */
  constructor(profile: LinkProfile, options: LinkImpairmentOptions) {
    this.#random = seededRandom(options.seed);
    this.profile = profile;
  }

  /** How the link impairs packets now, with every default filled in. */
  get profile(): ResolvedLinkProfile {
    return { ...this.#profile };
  }

  /**
   * Changes how the link impairs packets from the next one on, as a route
   * change or a new bottleneck would: packets already admitted keep their
   * times, and the random draws go on from where they were.
   *
   * @throws {RangeError} If a field of the profile is out of range.
   */
  set profile(profile: LinkProfile) {
    this.#profile = resolveLinkProfile(profile);
    const p = this.#profile.lossPercent / 100;
    this.#loss = p;
    // p(good → bad) = p · p(bad → good) / (1 − p); when that passes 1 the good
    // state lasts one packet and the bad one is lengthened to keep the loss at p.
    const badToGood = 1 / this.#profile.burstLength;
    const goodToBad = p < 1 ? (p * badToGood) / (1 - p) : Infinity;
    this.#goodToBad = Math.min(1, goodToBad);
    this.#badToGood = goodToBad > 1 ? (1 - p) / p : badToGood;
    const rate = this.#profile.rateMbps;
    this.#bitsPerMs = rate === undefined ? undefined : rate * 1000;
  }

  /** What the link has done so far. */
  get counters(): LinkCounters {
    return { ...this.#counters };
  }

  /**
   * Admits a packet of `bytes` arriving at `now` (ms) and returns the times, on
   * the same clock, at which its copies must be delivered: none when it is
   * dropped, two when it is duplicated.
   */
  admit(bytes: number, now: number): number[] {
    const c = this.#counters;
    const profile = this.#profile;
    c.packets++;
    c.bytes += bytes;
    const lossDraw = this.#random();
    const duplicateDraw = this.#random();
    const reorderDraw = this.#random();
    const jitterDraw = this.#random();

    if (this.#lose(lossDraw)) {
      c.lost++;
      if (this.#bad) c.burstLost++;
      return [];
    }

    let departure = now;
    if (this.#bitsPerMs !== undefined) {
      departure = Math.max(now, this.#lastDeparture) + (bytes * 8) / this.#bitsPerMs;
      if (departure - now > profile.queueMs) {
        c.queueDrops++;
        return [];
      }
      this.#lastDeparture = departure;
    }

    const jitter = (jitterDraw * 2 - 1) * profile.jitterMs;
    let due = Math.max(departure, departure + profile.delayMs + jitter, this.#lastInOrder);
    if (reorderDraw < profile.reorderPercent / 100) {
      c.reordered++;
      due += profile.reorderDelayMs;
    } else {
      this.#lastInOrder = due;
    }

    if (duplicateDraw < profile.duplicatePercent / 100) {
      c.duplicated++;
      c.delivered += 2;
      return [due, due];
    }
    c.delivered++;
    return [due];
  }

  /** Moves the loss model on by one packet and says whether that packet is lost. */
  #lose(draw: number): boolean {
    if (this.#loss === 0) return false;
    if (this.#profile.burstLength <= 1) return draw < this.#loss;
    if (this.#bad ? draw < this.#badToGood : draw < this.#goodToBad) this.#bad = !this.#bad;
    return this.#bad;
  }
}
