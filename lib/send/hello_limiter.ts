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
   * Hellos answered per second from one network (an IPv4 /24, an IPv6 /64),
   * once its burst is spent.
   * @default {20}
   */
  perNetworkRate?: number;
  /**
   * Hellos answered back to back from one network.
   * @default {40}
   */
  perNetworkBurst?: number;
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
   * The most IP addresses, and the most networks, tracked at once.
   * @default {4096}
   */
  maxAddresses?: number;
}

/** Counters of a {@linkcode HelloLimiter}. */
export interface HelloLimiterStats {
  /** Hellos that may be answered. */
  allowed: number;
  /** Hellos refused, for any limit. */
  limited: number;
  /** Of `limited`, those refused because all addresses together were over the global limit. */
  limitedGlobal: number;
  /** Of `limited`, those refused because their network was over its limit. */
  limitedNetwork: number;
  /** Addresses and networks forgotten before their bucket was full again, to stay within `maxAddresses`. */
  evicted: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, ms. */
  at: number;
}

/**
 * Decides whether the sender answers a hello from an address that has not
 * proved it receives there yet. Three token buckets: one per source IP
 * address (ports are the caller's to leave out, so rotating them gains
 * nothing), one per network (an IPv4 /24 or an IPv6 /64, so that the
 * addresses of one network, which can often be spoofed from inside it, share
 * a share), and one over all addresses, so that hellos from any number of
 * spoofed addresses get at most `globalBurst` answers at once and
 * `globalRate` a second after that. Every answer takes a token from all three.
 *
 * Only datagrams worth an answer should be brought here: the caller checks
 * what it can first (magic, version, type, size), so that junk spends nothing
 * that a receiver needs.
 *
 * Memory is bounded. An address (and its network) is tracked from its first
 * answer, kept in the order of its last answer, and dropped from the front
 * once its bucket is full again, and thus no different from an unknown one. A
 * hello is refused by the global bucket before anything is looked up, so a
 * flood that has spent the global bucket adds nothing. What is left is the
 * addresses answered within the last `perAddressBurst / perAddressRate`
 * seconds: at most `globalBurst + globalRate * perAddressBurst /
 * perAddressRate` of them (800 with the defaults), and as many networks at
 * most (800). Only if `maxAddresses` is set below that is the one answered
 * longest ago evicted; that may give it a fresh burst later, but never an
 * answer beyond the global bucket.
 *
 * Pure: the caller supplies the clock, in ms; a clock that steps back refills
 * nothing for the step.
 */
export class HelloLimiter {
  #globalRate: number;
  #globalBurst: number;
  #global: Bucket | undefined;
  #addresses: Buckets;
  #networks: Buckets;
  #stats: HelloLimiterStats = {
    allowed: 0,
    limited: 0,
    limitedGlobal: 0,
    limitedNetwork: 0,
    evicted: 0,
  };

  /**
   * Creates a limiter whose buckets start full.
   *
   * @throws {RangeError} If a rate is not positive, a burst is below 1 or
   * `maxAddresses` is not a positive integer.
   */
  constructor(options: HelloLimiterOptions = {}) {
    this.#globalRate = positive(options.globalRate ?? 200, "The global rate");
    this.#globalBurst = atLeastOne(options.globalBurst ?? 400, "The global burst");
    const maxAddresses = options.maxAddresses ?? 4096;
    if (!(Number.isInteger(maxAddresses) && maxAddresses >= 1)) {
      throw new RangeError(
        `The most addresses tracked must be a positive integer, got ${maxAddresses}`,
      );
    }
    this.#addresses = new Buckets(
      positive(options.perAddressRate ?? 5, "The per-address rate"),
      atLeastOne(options.perAddressBurst ?? 10, "The per-address burst"),
      maxAddresses,
    );
    this.#networks = new Buckets(
      positive(options.perNetworkRate ?? 20, "The per-network rate"),
      atLeastOne(options.perNetworkBurst ?? 40, "The per-network burst"),
      maxAddresses,
    );
  }

  /** How many addresses are tracked now. */
  get size(): number {
    return this.#addresses.size;
  }

  /** How many networks are tracked now. */
  get networks(): number {
    return this.#networks.size;
  }

  /** Counters since the limiter was created. */
  get stats(): HelloLimiterStats {
    return { ...this.#stats };
  }

  /**
   * Whether a hello from IP address `ip` (no port) at `now` (ms) may be
   * answered; if so, it is counted against all three buckets.
   */
  allow(ip: string, now: number): boolean {
    this.#addresses.drop(now);
    this.#networks.drop(now);
    const global = this.#global ??= { tokens: this.#globalBurst, at: now };
    refill(global, now, this.#globalRate, this.#globalBurst);
    if (global.tokens < 1) {
      this.#stats.limited++;
      this.#stats.limitedGlobal++;
      return false;
    }
    const address = hostOf(ip);
    const network = networkOf(address);
    const networkBucket = this.#networks.get(network, now);
    if (networkBucket.tokens < 1) {
      this.#stats.limited++;
      this.#stats.limitedNetwork++;
      return false;
    }
    const bucket = this.#addresses.get(address, now);
    if (bucket.tokens < 1) {
      this.#stats.limited++;
      return false;
    }
    global.tokens--;
    this.#stats.evicted += this.#networks.take(network, networkBucket) +
      this.#addresses.take(address, bucket);
    this.#stats.allowed++;
    return true;
  }
}

/** Token buckets by key, kept in the order of their last token taken. */
class Buckets {
  #rate: number;
  #burst: number;
  #max: number;
  #buckets = new Map<string, Bucket>();

  constructor(rate: number, burst: number, max: number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#max = max;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** The bucket of `key` brought up to `now`: a full one if `key` is not tracked. */
  get(key: string, now: number): Bucket {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return { tokens: this.#burst, at: now };
    refill(bucket, now, this.#rate, this.#burst);
    return bucket;
  }

  /** Takes a token from `key`'s bucket, from {@linkcode get}; 1 if that evicted another key, else 0. */
  take(key: string, bucket: Bucket): number {
    bucket.tokens--;
    // Move the key to the back: the map stays in the order of tokens taken.
    this.#buckets.delete(key);
    let evicted = 0;
    if (this.#buckets.size >= this.#max) {
      this.#buckets.delete(this.#buckets.keys().next().value as string);
      evicted = 1;
    }
    this.#buckets.set(key, bucket);
    return evicted;
  }

  /** Drops, from the front, the keys whose bucket is full again at `now`. */
  drop(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (Math.max(0, now - bucket.at) * this.#rate) / 1000 < this.#burst) return;
      this.#buckets.delete(key);
    }
  }
}

/** An IP address as one host: an IPv4 address mapped into IPv6 is the IPv4 address. */
function hostOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped === null ? ip : mapped[1];
}

/**
 * The network of an IP address, as Deno writes addresses: the /24 of an IPv4
 * address, the /64 of an IPv6 address (its first four groups, with `::`
 * expanded; a zone is left out).
 */
function networkOf(ip: string): string {
  if (!ip.includes(":")) return `${ip.slice(0, ip.lastIndexOf("."))}.0/24`;
  const zone = ip.indexOf("%");
  const [head, tail] = (zone === -1 ? ip : ip.slice(0, zone)).split("::");
  const groups = head === "" ? [] : head.split(":");
  if (tail !== undefined) {
    const after = tail === "" ? [] : tail.split(":");
    // A dotted IPv4 address at the end (as in ::ffff:a.b.c.d) is two groups.
    const size = after.length + (after.at(-1)?.includes(".") ? 1 : 0);
    groups.push(...new Array(Math.max(0, 8 - groups.length - size)).fill("0"), ...after);
  }
  const first = groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16));
  return `${first.join(":")}::/64`;
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
