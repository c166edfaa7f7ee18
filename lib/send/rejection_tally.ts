/** Options for a {@linkcode RejectionTally}. */
export interface RejectionTallyOptions {
  /**
   * The shortest time between two summaries, in ms; also how long an address
   * stays known after its last rejection.
   * @default {10000}
   */
  intervalMs?: number;
  /**
   * The most addresses remembered, and the most told apart in one summary.
   * @default {1024}
   */
  maxAddresses?: number;
  /**
   * The most rejections returned at once between two summaries; the rest wait for the summary.
   * @default {10}
   */
  linesPerInterval?: number;
  /**
   * How many addresses a summary names.
   * @default {3}
   */
  topAddresses?: number;
}

/** A rejection to log at once: the first from its address in a while. */
export interface RejectionLine {
  /** Tells a line from a summary; a name for the log event. */
  type: "rejected";
  /** Where the datagram came from, as given to {@linkcode RejectionTally.add}. */
  address: string;
  /** Why it was rejected. */
  reason: string;
  /** The line for people, such as `rejected a datagram from 192.0.2.7:5000: wrong key`. */
  message: string;
}

/** One address in a {@linkcode RejectionSummary}. */
export interface RejectionSource {
  /** Where the datagrams came from. */
  address: string;
  /** Rejections counted from it. */
  count: number;
}

/** The rejections counted, and not logged, since the previous summary. */
export interface RejectionSummary {
  /** Tells a summary from a line; a name for the log event. */
  type: "rejected_summary";
  /** Rejections counted. */
  total: number;
  /** Rejections counted per reason, most first. */
  reasons: Record<string, number>;
  /** Distinct addresses told apart among them, at most `maxAddresses`. */
  addresses: number;
  /** Rejections from further addresses, beyond `maxAddresses`, not told apart. */
  untracked: number;
  /** The addresses with the most rejections, most first, at most `topAddresses`. */
  top: RejectionSource[];
  /** The time the summary covers, ms. */
  periodMs: number;
  /**
   * The line for people, such as `rejected 523 datagrams from 3 addresses in the
   * last 10 s: wrong key 500, rate limited 23; most from 192.0.2.7:5000 (480), ...`.
   */
  message: string;
}

/**
 * Tallies rejected datagrams (wrong key, bad cookie, rate limited, malformed
 * ...) so that the log shows them without being flooded. The first rejection
 * from an address is returned by {@linkcode add} to be logged at once; further
 * ones from an address rejected within the last `intervalMs` are only counted,
 * and {@linkcode flush} returns them as one summary, at most once per
 * `intervalMs`. An address that keeps failing thus shows at most once per
 * interval, in the summary. Lines returned at once are capped too
 * (`linesPerInterval` between two summaries), so that datagrams from many
 * spoofed addresses end up in the summary rather than one line each.
 *
 * Memory is bounded: at most `maxAddresses` addresses are remembered and at
 * most as many counted apart in a summary; rejections beyond are still counted,
 * in total and per reason. Reasons should be a few fixed strings.
 *
 * Pure: the caller supplies the clock, in ms, which should not step back (a
 * monotonic one such as `performance.now()`), and calls {@linkcode flush}
 * every second or so.
 */
export class RejectionTally {
  #intervalMs: number;
  #maxAddresses: number;
  #linesPerInterval: number;
  #topAddresses: number;
  /** Address to the time of its last rejection, in that order. */
  #known = new Map<string, number>();
  /** Address to the rejections counted from it since the last summary. */
  #counts = new Map<string, number>();
  #reasons = new Map<string, number>();
  #total = 0;
  #untracked = 0;
  #lines = 0;
  /** The start of what the next summary covers; undefined while quiet. */
  #since: number | undefined;

  /**
   * Creates an empty tally.
   *
   * @throws {RangeError} If the interval is not positive, `maxAddresses` is not a
   * positive integer, or a count is not an integer from 0.
   */
  constructor(options: RejectionTallyOptions = {}) {
    const intervalMs = options.intervalMs ?? 10_000;
    if (!(intervalMs > 0 && Number.isFinite(intervalMs))) {
      throw new RangeError(`The summary interval must be positive, got ${intervalMs}`);
    }
    this.#intervalMs = intervalMs;
    this.#maxAddresses = count(options.maxAddresses ?? 1024, 1, "The most addresses");
    this.#linesPerInterval = count(options.linesPerInterval ?? 10, 0, "The lines per interval");
    this.#topAddresses = count(options.topAddresses ?? 3, 0, "The addresses named");
  }

  /** How many addresses are remembered now. */
  get size(): number {
    return this.#known.size;
  }

  /**
   * Records a datagram from `address` (`host:port` or a bare host) rejected
   * for `reason` at `now` (ms). Returns the line to log at once if this is the
   * first rejection from the address within `intervalMs` and the cap on lines
   * allows; otherwise counts it for the next summary and returns undefined.
   */
  add(address: string, reason: string, now: number): RejectionLine | undefined {
    this.#forget(now);
    this.#since ??= now;
    const known = this.#known.has(address);
    const remembered = known || this.#known.size < this.#maxAddresses;
    if (remembered) {
      // Move the address to the back: the map stays in the order of last rejections.
      this.#known.delete(address);
      this.#known.set(address, now);
    }
    if (!known && remembered && this.#lines < this.#linesPerInterval) {
      this.#lines++;
      return { type: "rejected", address, reason, message: lineMessage(address, reason) };
    }
    this.#total++;
    this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + 1);
    const counted = this.#counts.get(address);
    if (counted !== undefined) {
      this.#counts.set(address, counted + 1);
    } else if (this.#counts.size < this.#maxAddresses) {
      this.#counts.set(address, 1);
    } else {
      this.#untracked++;
    }
    return undefined;
  }

  /**
   * Returns the summary of the rejections counted since the previous one, once
   * at least `intervalMs` has passed since it (or since the first rejection
   * after a quiet spell); undefined before that, and when nothing was counted.
   */
  flush(now: number): RejectionSummary | undefined {
    this.#forget(now);
    if (this.#since === undefined || now - this.#since < this.#intervalMs) return undefined;
    const summary = this.#total === 0 ? undefined : this.#summary(now - this.#since);
    this.#counts.clear();
    this.#reasons.clear();
    this.#total = 0;
    this.#untracked = 0;
    this.#lines = 0;
    this.#since = summary === undefined ? undefined : now;
    return summary;
  }

  #summary(periodMs: number): RejectionSummary {
    const reasons = Object.fromEntries([...this.#reasons].sort((a, b) => b[1] - a[1]));
    const top = [...this.#counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, this.#topAddresses)
      .map(([address, count]) => ({ address, count }));
    const fields = {
      total: this.#total,
      reasons,
      addresses: this.#counts.size,
      untracked: this.#untracked,
      top,
      periodMs,
    };
    return { type: "rejected_summary", ...fields, message: summaryMessage(fields) };
  }

  /** Forgets, from the front, the addresses not rejected within `intervalMs` of `now`. */
  #forget(now: number): void {
    for (const [address, last] of this.#known) {
      if (now - last < this.#intervalMs) return;
      this.#known.delete(address);
    }
  }
}

function lineMessage(address: string, reason: string): string {
  return `rejected a datagram from ${address}: ${reason}`;
}

function summaryMessage(
  summary: Omit<RejectionSummary, "type" | "message">,
): string {
  const { total, addresses, untracked, top } = summary;
  const single = addresses === 1 && untracked === 0 && top.length === 1;
  const from = untracked > 0
    ? `more than ${addresses} addresses`
    : single
    ? top[0].address
    : plural(addresses, "address", "addresses");
  const reasons = Object.entries(summary.reasons).map(([reason, n]) => `${reason} ${n}`);
  const most = top.length > 0 && !single
    ? `; most from ${top.map((s) => `${s.address} (${s.count})`).join(", ")}`
    : "";
  return `rejected ${plural(total, "datagram", "datagrams")} from ${from} ` +
    `in the last ${duration(summary.periodMs)}: ${reasons.join(", ")}${most}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

function count(value: number, min: number, name: string): number {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`${name} must be an integer from ${min}, got ${value}`);
  }
  return value;
}
