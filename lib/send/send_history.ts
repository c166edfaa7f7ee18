import type { NackRange } from "../wire/nack.ts";

/** Limits of a {@linkcode SendHistory}. */
export interface SendHistoryOptions {
  /**
   * How long a frame's datagrams are kept for resending, in ms.
   * @default {1000}
   */
  maxAgeMs?: number;
  /**
   * Bytes of datagrams kept at most; the oldest frames go first.
   * @default {33554432}
   */
  maxBytes?: number;
  /**
   * How many times one fragment is resent to one receiver at most, up to 255.
   * @default {8}
   */
  maxResends?: number;
}

interface Entry {
  datagrams: Uint8Array[];
  bytes: number;
  at: number;
  /** Per receiver, how many times each fragment was resent to it. */
  resent: Map<string, Uint8Array>;
}

/** What a {@linkcode SendHistory.take} found for a NACK range. */
export interface TakeResult {
  /** The datagrams to send again. */
  datagrams: Uint8Array[];
  /** Fragments asked for that are no longer (or never were) held. */
  missed: number;
  /** Fragments resent to this receiver too often already. */
  refused: number;
}

/**
 * The datagrams of the frames sent in the last second or so, so that a
 * receiver's NACK can be answered. Bounded in age and in bytes; a fragment is
 * resent to one receiver a bounded number of times, so a receiver cannot make
 * the sender repeat without end. Pure: times are given by the caller.
 */
export class SendHistory {
  #maxAgeMs: number;
  #maxBytes: number;
  #maxResends: number;
  #entries = new Map<number, Entry>();
  #bytes = 0;

  /** Creates an empty history. */
  constructor(options: SendHistoryOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 1000;
    this.#maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.#maxResends = Math.min(255, options.maxResends ?? 8);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Frames held now. */
  get frames(): number {
    return this.#entries.size;
  }

  /** Keeps a frame's datagrams, sent at `now` (ms). */
  add(frame: number, datagrams: Uint8Array[], now: number): void {
    let bytes = 0;
    for (const datagram of datagrams) bytes += datagram.length;
    const old = this.#entries.get(frame);
    if (old !== undefined) {
      this.#entries.delete(frame);
      this.#bytes -= old.bytes;
    }
    this.#entries.set(frame, { datagrams, bytes, at: now, resent: new Map() });
    this.#bytes += bytes;
    this.prune(now);
  }

  /** The datagrams `receiver` asks for again in `range`, at `now`. */
  take(receiver: string, range: NackRange, now: number): TakeResult {
    this.prune(now);
    const entry = this.#entries.get(range.frame);
    if (entry === undefined) return { datagrams: [], missed: range.count, refused: 0 };
    let counts = entry.resent.get(receiver);
    if (counts === undefined) {
      counts = new Uint8Array(entry.datagrams.length);
      entry.resent.set(receiver, counts);
    }
    const end = Math.min(range.index + range.count, entry.datagrams.length);
    const datagrams: Uint8Array[] = [];
    let refused = 0;
    for (let index = range.index; index < end; index++) {
      if (counts[index] >= this.#maxResends) {
        refused++;
        continue;
      }
      counts[index]++;
      datagrams.push(entry.datagrams[index]);
    }
    const missed = range.count - Math.max(0, end - range.index);
    return { datagrams, missed, refused };
  }

  /** Forgets frames older than the age limit, and the oldest beyond the byte limit. */
  prune(now: number): void {
    for (const [frame, entry] of this.#entries) {
      if (now - entry.at <= this.#maxAgeMs && this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(frame);
      this.#bytes -= entry.bytes;
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
