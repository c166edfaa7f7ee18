/** Options for a {@linkcode HelloLimiter}. */
export interface HelloLimiterOptions {
  /**
   * Hellos answered per second from one IP address, once its burst is spent.
   * @default {5}
   */
  perAddressRate?: number;
  /**
   * Hellos answered back to back from one IP address.
   * @default {10}
   */
  perAddressBurst?: number;
  /**
   * Hellos answered per second from all addresses together, once the global burst is spent.
   * @default {200}
   */
  globalRate?: number;
  /**
   * Hellos answered back to back from all addresses together.
   * @default {400}
   */
  globalBurst?: number;
  /**
   * The most IP addresses tracked at once.
   * @default {4096}
   */
  maxAddresses?: number;
}

/** Counters of a {@linkcode HelloLimiter}. */
export interface HelloLimiterStats {
  /** Hellos that may be answered. */
  allowed: number;
  /** Hellos refused, for either limit. */
  limited: number;
  /** Of `limited`, those refused because all addresses together were over the global limit. */
  limitedGlobal: number;
  /** Addresses forgotten before their bucket was full again, to stay within `maxAddresses`. */
  evicted: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, ms. */
  at: number;
}

/**
 * Decides whether the sender answers a hello from an address that has not
 * proved it receives there yet. Two token buckets: one per source IP address
 * (ports are the caller's to leave out, so rotating them gains nothing), and
 * one over all addresses, so that hellos from any number of spoofed addresses
 * get at most `globalBurst` answers at once and `globalRate` a second after
 * that. Every answer takes a token from both.
 *
 * Memory is bounded. An address is tracked from its first answer, and the
 * addresses are kept in the order of their last answer, so those whose bucket
 * is full again, and thus no different from an unknown address, are dropped
 * from the front. A hello is refused by the global bucket before its address
 * is looked up, so a flood that has spent the global bucket adds nothing. What
 * is left is the addresses answered within the last `perAddressBurst /
 * perAddressRate` seconds: at most `globalBurst + globalRate * perAddressBurst
 * / perAddressRate` of them (800 with the defaults). Only if `maxAddresses` is
 * set below that is the address answered longest ago evicted; that may give it
 * a fresh burst later, but never an answer beyond the global bucket.
 *
 * Pure: the caller supplies the clock, in ms; a clock that steps back refills
 * nothing for the step.
 */
export class HelloLimiter {
  #rate: number;
  #burst: number;
  #globalRate: number;
  #globalBurst: number;
  #maxAddresses: number;
  #global: Bucket | undefined;
  #buckets = new Map<string, Bucket>();
  #stats: HelloLimiterStats = { allowed: 0, limited: 0, limitedGlobal: 0, evicted: 0 };

  /**
   * Creates a limiter whose buckets start full.
   *
   * @throws {RangeError} If a rate is not positive, a burst is below 1 or
   * `maxAddresses` is not a positive integer.
   */
  constructor(options: HelloLimiterOptions = {}) {
    this.#rate = positive(options.perAddressRate ?? 5, "The per-address rate");
    this.#burst = atLeastOne(options.perAddressBurst ?? 10, "The per-address burst");
    this.#globalRate = positive(options.globalRate ?? 200, "The global rate");
    this.#globalBurst = atLeastOne(options.globalBurst ?? 400, "The global burst");
    const maxAddresses = options.maxAddresses ?? 4096;
    if (!(Number.isInteger(maxAddresses) && maxAddresses >= 1)) {
      throw new RangeError(
        `The most addresses tracked must be a positive integer, got ${maxAddresses}`,
      );
    }
    this.#maxAddresses = maxAddresses;
  }

  /** How many addresses are tracked now. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Counters since the limiter was created. */
  get stats(): HelloLimiterStats {
    return { ...this.#stats };
  }

  /**
   * Whether a hello from IP address `ip` (no port) at `now` (ms) may be
   * answered; if so, it is counted against both buckets.
   */
  allow(ip: string, now: number): boolean {
    this.#drop(now);
    const global = this.#global ??= { tokens: this.#globalBurst, at: now };
    refill(global, now, this.#globalRate, this.#globalBurst);
    if (global.tokens < 1) {
      this.#stats.limited++;
      this.#stats.limitedGlobal++;
      return false;
    }
    let bucket = this.#buckets.get(ip);
    if (bucket === undefined) {
      bucket = { tokens: this.#burst, at: now };
    } else {
      refill(bucket, now, this.#rate, this.#burst);
    }
    if (bucket.tokens < 1) {
      this.#stats.limited++;
      return false;
    }
    bucket.tokens--;
    global.tokens--;
    this.#stats.allowed++;
    // Move the address to the back: the map stays in the order of last answers.
    this.#buckets.delete(ip);
    if (this.#buckets.size >= this.#maxAddresses) {
      const oldest = this.#buckets.keys().next().value as string;
      this.#buckets.delete(oldest);
      this.#stats.evicted++;
    }
    this.#buckets.set(ip, bucket);
    return true;
  }

  /** Drops, from the front, the addresses whose bucket is full again at `now`. */
  #drop(now: number): void {
    for (const [ip, bucket] of this.#buckets) {
      if (bucket.tokens + (Math.max(0, now - bucket.at) * this.#rate) / 1000 < this.#burst) return;
      this.#buckets.delete(ip);
    }
  }
}

function refill(bucket: Bucket, now: number, rate: number, burst: number): void {
  const elapsed = Math.max(0, now - bucket.at);
  bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * rate) / 1000);
  bucket.at = now;
}

function positive(value: number, name: string): number {
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`${name} must be positive, got ${value}`);
  }
  return value;
}

function atLeastOne(value: number, name: string): number {
  if (!(value >= 1 && Number.isFinite(value))) {
    throw new RangeError(`${name} must be at least 1, got ${value}`);
  }
  return value;
}
