import type { Data, Parity } from "../wire/data.ts";
import type { NackRange } from "../wire/nack.ts";
import { xorInto } from "../wire/parity_datagrams.ts";
import { FragmentBuffer, type FragmentBufferOptions } from "./fragment_buffer.ts";
import { ParityGroups } from "./parity_groups.ts";

/** What became of a fragment offered to a {@linkcode PartialFrame}. */
export type AddResult = "new" | "duplicate" | "inconsistent";

/** What a missing fragment's arrival says about the network. */
export interface Arrival {
  /** Whether the fragment was new to the frame. */
  result: AddResult;
  /** The fragment had been found missing and asked for, and a resend came. */
  recovered: boolean;
  /**
   * The fragment had been asked for, but its first send came: it was not
   * lost, only reordered, and the NACK was spurious.
   */
  spurious: boolean;
  /** How long the fragment had been missing, ms; NaN if it was not. */
  lateMs: number;
}

/** Limits on when missing fragments are asked for; see {@linkcode PartialFrame.due}. */
export interface DueOptions {
  /** A gap waits this long, in ms, for a reordered fragment before it counts as lost. */
  reorderMs: number;
  /** A fragment asked for and still missing after this long, in ms, is asked for again. */
  retryMs: number;
  /** A frame silent this long, in ms, has lost the fragments after its highest. */
  tailMs: number;
  /** Wait for parity (the frame's end) before asking, because parity may rebuild the gap. */
  awaitParity: boolean;
}

/** How a {@linkcode PartialFrame} keeps its bytes (see {@linkcode FragmentBufferOptions.upFront}). */
export type PartialFrameOptions = Pick<FragmentBufferOptions, "upFront">;

/**
 * One frame being put back together: which fragments came, which are
 * missing and since when, which were asked for again, and the frame's parity
 * groups if the sender sends them. Pure: times are given by the caller.
 *
 * The memory it holds follows what arrives, not what the first datagram
 * claims (unless `upFront`): the fragments' bytes, at most eight times them
 * once the frame's buffer is allocated, and the parity and bookkeeping once
 * needed. {@linkcode bytesHeld} says how much.
 *
 * Where the fragments' bytes are kept is {@linkcode FragmentBuffer}'s, and
 * the parity groups are {@linkcode ParityGroups}'; the rest stays in this one
 * class, a little over 300 lines, because what is missing and since when and
 * what was asked for read and write the same per-fragment arrays.
 */
export class PartialFrame {
  /** The frame number. */
  readonly frame: number;
  /** The whole frame's length in bytes. */
  readonly frameLength: number;
  /** The payload size of every fragment but the last. */
  readonly fragmentSize: number;
  /** How many fragments the frame has. */
  readonly count: number;
  /** The sender's capture time. */
  readonly captureTime: number;
  /** When the first fragment (or parity) came, ms. */
  readonly firstArrival: number;
  /** When the latest fragment (or parity) came, ms. */
  lastArrival: number;
  /** Fragments present, rebuilt ones included. */
  received = 0;
  /** Fragments rebuilt from parity and not yet counted by the caller. */
  rebuilt = 0;
  /** The fragments' bytes. */
  #buffer: FragmentBuffer;
  #seen: Uint8Array;
  #highest = -1;
  /** When each fragment was found missing, NaN while it is not; made when one first is. */
  #missingSince: Float64Array | undefined;
  /** When each fragment was last asked for, NaN if never; made with `#missingSince`. */
  #askedAt: Float64Array | undefined;

  /** The frame's parity, if the sender sends it. */
  #parity: ParityGroups;
  /** What {@linkcode bytesHeld} says but for the fragments' buffer, kept up to date. */
  #held = 0;
  /** Fragments marked missing and not yet here: `due` has work only when some are. */
  #missingCount = 0;
  /** When the longest-missing fragment went missing, as of the last `due`; NaN if none. */
  #oldestMissing = NaN;

  /** Starts a frame from the layout in its first fragment or parity. */
  constructor(first: Data | Parity, now: number, options: PartialFrameOptions = {}) {
    this.frame = first.frame;
    this.frameLength = first.frameLength;
    this.fragmentSize = first.fragmentSize;
    this.count = Math.ceil(first.frameLength / first.fragmentSize);
    this.captureTime = first.captureTime;
    this.firstArrival = now;
    this.lastArrival = now;
    this.#buffer = new FragmentBuffer({
      frameLength: first.frameLength,
      fragmentSize: first.fragmentSize,
      upFront: options.upFront,
    });
    this.#seen = new Uint8Array(this.count);
    this.#parity = new ParityGroups(this.count);
    this.#held = this.count;
  }

  /**
   * The most a frame of this layout can hold without its parity, bookkeeping
   * included, however its fragments come: a frame whose most does not fit
   * the memory bound is never started.
   */
  static maxBytes(frameLength: number, fragmentSize: number): number {
    const count = Math.ceil(frameLength / fragmentSize);
    // Its buffer, or the fragments kept as they come in slots of fragmentSize
    // and where; for each fragment whether it came, and when it went missing
    // and was asked for.
    return FragmentBuffer.maxBytes(frameLength, fragmentSize) + count * (1 + 16);
  }

  /**
   * The bytes this frame holds now: its buffers (the frame's, or the
   * fragments kept so far), its parity payloads, and its bookkeeping.
   */
  get bytesHeld(): number {
    return this.#held + this.#buffer.bytesHeld + this.#parity.bytesHeld;
  }

  /** The whole frame's bytes, once {@linkcode complete}. */
  get data(): Uint8Array<ArrayBuffer> {
    // A frame whole has had all its bytes: its buffer was allocated by then.
    const data = this.#buffer.data;
    if (!this.complete || data === undefined) {
      throw new RangeError(`Frame ${this.frame} is not complete`);
    }
    return data;
  }

  /** Parity datagrams taken, one a group. */
  get parities(): number {
    return this.#parity.taken;
  }

  /** Whether every fragment is here. */
  get complete(): boolean {
    return this.received === this.count;
  }

  /** Fragments still missing. */
  get missing(): number {
    return this.count - this.received;
  }

  /**
   * Whether the frame has waited longer than `budgetMs` at `now`: for a
   * missing fragment (counted from when it was found missing), or for any
   * datagram at all. A large frame that keeps arriving is not late.
   */
  isLate(now: number, budgetMs: number): boolean {
    if (now - this.lastArrival > budgetMs) return true;
    return now - this.#oldestMissing > budgetMs; // false while NaN: nothing missing
  }

  /** Whether a fragment or parity has this frame's layout. */
  matches(packet: Data | Parity): boolean {
    return packet.frameLength === this.frameLength &&
      packet.fragmentSize === this.fragmentSize && packet.captureTime === this.captureTime;
  }

  /**
   * Adds one fragment at `now`. Fragments skipped over (a gap below its index)
   * are marked missing from now on.
   */
  add(packet: Data, now: number): Arrival {
    const { index, payload } = packet;
    const last = this.count - 1;
    if (
      !this.matches(packet) || index > last ||
      payload.length !==
        (index === last ? this.frameLength - index * this.fragmentSize : this.fragmentSize)
    ) {
      return { result: "inconsistent", recovered: false, spurious: false, lateMs: NaN };
    }
    this.lastArrival = now;
    if (this.#seen[index] === 1) {
      return { result: "duplicate", recovered: false, spurious: false, lateMs: NaN };
    }
    for (let gap = this.#highest + 1; gap < index; gap++) this.#markMissing(gap, now);
    if (index > this.#highest) this.#highest = index;
    const lateMs = this.#missingSince === undefined ? NaN : now - this.#missingSince[index];
    const asked = this.#askedAt !== undefined && !Number.isNaN(this.#askedAt[index]);
    this.#store(index, payload);
    this.#rebuild(index);
    return {
      result: "new",
      recovered: asked && packet.resent,
      spurious: asked && !packet.resent,
      lateMs,
    };
  }

  /** Adds one parity datagram; returns how many fragments it let rebuild. */
  addParity(packet: Parity, now: number): number {
    if (!this.matches(packet)) return -1;
    this.lastArrival = now;
    const added = this.#parity.add(packet, this.#seen);
    if (added <= 0) return added;
    // Parity comes after the frame's data: anything not here yet is missing.
    for (let i = this.#highest + 1; i < this.count; i++) this.#markMissing(i, now);
    return this.#rebuild(packet.group) ? 1 : 0;
  }

  /**
   * Marks as missing, at `now`, the fragments after the highest one seen if
   * the frame has been silent for `tailMs`: its last datagrams were lost.
   */
  noticeTail(now: number, tailMs: number): void {
    if (this.#highest >= this.count - 1 || now - this.lastArrival < tailMs) return;
    for (let i = this.#highest + 1; i < this.count; i++) this.#markMissing(i, now);
  }

  /**
   * The fragments to ask for at `now`, as ranges: those missing for longer
   * than `reorderMs` and never asked for, and those asked for more than
   * `retryMs` ago. Each is marked as asked for now. `onLost` is called once
   * per fragment the first time it is given up as lost.
   */
  due(now: number, options: DueOptions, onLost: () => void): NackRange[] {
    this.noticeTail(now, options.tailMs);
    if (this.#missingCount === 0) {
      this.#oldestMissing = NaN;
      return [];
    }
    // Parity follows the frame's data, group after group: before the first
    // comes, any gap may be rebuilt; after it, only groups still to come.
    const noParityYet = options.awaitParity && this.#parity.taken === 0 &&
      now - this.lastArrival < options.tailMs;
    const moreParity = options.awaitParity && now - this.lastArrival < options.reorderMs;
    const ranges: NackRange[] = [];
    let open: NackRange | undefined;
    let oldest = NaN;
    // Made when the first fragment went missing.
    const missingSince = this.#missingSince!;
    const askedAt = this.#askedAt!;
    for (let i = 0; i < this.count; i++) {
      let ask = false;
      const since = missingSince[i];
      if (this.#seen[i] === 0 && !Number.isNaN(since)) {
        if (!(since >= oldest)) oldest = since;
        const asked = askedAt[i];
        if (Number.isNaN(asked)) {
          const parityPending = noParityYet || (moreParity && this.#parity.mayCome(i));
          ask = now - since >= options.reorderMs && !parityPending;
          if (ask) onLost();
        } else {
          ask = now - asked >= options.retryMs;
        }
      }
      if (!ask) {
        open = undefined;
        continue;
      }
      askedAt[i] = now;

      if (open !== undefined && open.index + open.count === i) {
        open.count++;
      } else {
        open = { frame: this.frame, index: i, count: 1 };
        ranges.push(open);
      }
    }
    this.#oldestMissing = oldest;
    return ranges;
  }

  #markMissing(index: number, now: number): void {
    if (this.#missingSince === undefined) {
      // Only a frame that loses a fragment needs to know when and what it asked for.
      this.#missingSince = new Float64Array(this.count).fill(NaN);
      this.#askedAt = new Float64Array(this.count).fill(NaN);
      this.#held += 2 * this.#missingSince.byteLength;
    }
    if (this.#seen[index] === 0 && Number.isNaN(this.#missingSince[index])) {
      this.#missingSince[index] = now;
      this.#missingCount++;
    }
  }

  #store(index: number, payload: Uint8Array): void {
    this.#seen[index] = 1;
    if (this.#missingSince !== undefined && !Number.isNaN(this.#missingSince[index])) {
      this.#missingCount--;
      this.#missingSince[index] = NaN;
    }
    this.#buffer.set(index, payload);
    this.received++;
    this.#parity.stored(index);
  }

  /** Rebuilds the one missing fragment of `index`'s group, if that is all it lacks. */
  #rebuild(index: number): boolean {
    const found = this.#parity.rebuildable(index);
    if (found === undefined) return false;
    const { group, groups, parity } = found;
    let missing = -1;
    for (let i = group; i < this.count; i += groups) {
      if (this.#seen[i] === 0) missing = i;
      else xorInto(parity, this.#buffer.get(i));
    }
    this.#store(missing, parity.subarray(0, this.#buffer.lengthOf(missing)));
    this.rebuilt++;
    return true;
  }
}
