import { MAX_FRAME_BYTES } from "../hub/frame.ts";
import type { Data, Parity } from "../wire/data.ts";
import type { NackRange } from "../wire/nack.ts";
import { type DueOptions, PartialFrame } from "./partial_frame.ts";
import { FrameOrder } from "./frame_order.ts";
import {
  emptyCounters,
  framesLost,
  type ReassemblerStats,
  reassemblerStats,
} from "./reassembler_stats.ts";
import { RecoveryWaits } from "./recovery_waits.ts";
import { StartBudget, startsFor } from "./start_budget.ts";

/** Limits on what a {@linkcode Reassembler} holds. */
export interface ReassemblerOptions {
  /**
   * Frames in progress at once; starting one more evicts the oldest.
   * @default {8}
   */
  maxFrames?: number;
  /**
   * The largest frame accepted, in bytes.
   * @default {16777216}
   */
  maxFrameBytes?: number;
  /**
   * Bytes held by all frames in progress together: fragments, parity and
   * bookkeeping (see {@linkcode PartialFrame.bytesHeld}).
   * @default {67108864}
   */
  maxPendingBytes?: number;
  /**
   * Frames that may be started a second beyond those that complete: a frame
   * that completes gives its start back. A frame of more than 256 fragments
   * counts as one start per 256, as it needs that much more bookkeeping.
   * Fragments of a new frame beyond the budget are dropped as `throttled`.
   * @default {64}
   */
  startsPerSecond?: number;
  /**
   * Starts that may be spent at once, beyond {@linkcode startsPerSecond}.
   * @default {256}
   */
  startBurst?: number;
  /**
   * How long a frame may wait for a missing fragment, in ms from when it was
   * found missing (or for any datagram at all); then it is given up as late.
   * Settable later with {@linkcode Reassembler.budgetMs}.
   * @default {1000}
   */
  budgetMs?: number;
  /**
   * The longest a frame may be in progress, in ms from its first datagram,
   * however it is going.
   * @default {2000}
   */
  maxAgeMs?: number;
}

/** A whole frame, put back together. */
export interface AssembledFrame {
  /** The frame number within its session. */
  frame: number;
  /** The whole JPEG. */
  data: Uint8Array<ArrayBuffer>;
  /** The sender's capture time, ms since the epoch on the sender's clock. */
  captureTime: number;
  /** How many datagrams carried it. */
  fragments: number;
  /** When its first datagram came (ms, the reassembler's clock). */
  firstArrival: number;
}

/**
 * The most bytes of fragments and parity received that may be spent on
 * buffers allocated whole at a frame's start (see {@linkcode Reassembler}).
 */
const MAX_CREDIT = 8 * 1024 * 1024;

/**
 * Puts frames back together from fragments that may arrive out of order,
 * twice, or not at all, and says which missing fragments to ask for again. It
 * emits only whole frames, never one older than the newest it emitted (a
 * newer whole frame is never held back for an older one), gives a frame up at
 * its deadline, and bounds the memory it holds for frames in progress. It
 * knows nothing of sockets: feed it decoded DATA and PARITY packets of one
 * session, and a clock.
 *
 * What a frame claims costs nothing until it comes: a frame's memory grows
 * with its fragments and parity, all of it counted against
 * `maxPendingBytes`. Only a frame no larger than the bytes of fragments
 * received so far and not yet spent so (at most 8 MB) gets its whole buffer
 * at its start, so that a steady stream is put together with one copy of
 * each byte; the rest are kept as they come and copied into place at the
 * end. How many frames may start and never complete is budgeted too
 * (`startsPerSecond`), as each start costs bookkeeping for every fragment
 * it claims.
 *
 * Its learnt waits, budget of starts, frame order and counters are in files
 * of their own; the rest stays one class of about 400 lines, as the frames
 * in progress, the memory they hold and the counters move together at every
 * datagram.
 */
export class Reassembler {
  /** How long a frame may wait for a missing fragment, in ms. */
  budgetMs: number;
  /** What was learnt of the network's pace and reordering. */
  #waits = new RecoveryWaits();
  #maxAgeMs: number;
  #maxFrames: number;
  #maxFrameBytes: number;
  #maxPendingBytes: number;
  #partials = new Map<number, PartialFrame>();
  /** Frames that may start and never complete. */
  #starts: StartBudget;
  /** Bytes of fragments and parity received and not yet spent on a buffer allocated whole. */
  #credit = 0;
  /** What the frames in progress held when last asked (see {@linkcode PartialFrame.bytesHeld}). */
  #pendingBytes = 0;
  /** The floor and the highest frame number. */
  #order = new FrameOrder();
  #fragmentsPerFrame = 0;
  #stats = emptyCounters();
  #countMissing = () => this.#stats.packetsMissing++;

  /** Creates a reassembler with the given limits. */
  constructor(options: ReassemblerOptions = {}) {
    this.#maxFrames = options.maxFrames ?? 8;
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.#starts = new StartBudget({
      perSecond: options.startsPerSecond ?? 64,
      burst: options.startBurst ?? 256,
    });
    this.budgetMs = options.budgetMs ?? 1000;
    this.#maxAgeMs = options.maxAgeMs ?? 2000;
  }

  /** The wait for reordered datagrams learnt so far, ms (0 until reordering is seen). */
  get reorderMs(): number {
    return this.#waits.reorderMs;
  }

  /** Frames in progress now. */
  get pendingFrames(): number {
    return this.#partials.size;
  }

  /** The counters so far. */
  get stats(): ReassemblerStats {
    return reassemblerStats(this.#stats, {
      pendingBytes: this.#pendingBytes,
      pendingFrames: this.#partials.size,
    });
  }

  /**
   * Frames given up after some of their datagrams came. Frames of which
   * nothing came are left out: the sender may have left them out on purpose,
   * sending this receiver fewer frames.
   */
  get framesLost(): number {
    return framesLost(this.#stats.framesDropped);
  }

  /**
   * Forgets every frame in progress and the newest frame number, as for a new
   * session. Counters are kept.
   */
  reset(): void {
    for (const partial of this.#partials.values()) this.#drop(partial, "evicted");
    this.#order.reset();
    this.#waits.resetGap();
  }

  /**
   * Takes one fragment received at `now` (ms, any monotonic clock) and returns
   * the frame it completes, if any.
   */
  push(packet: Data, now: number): AssembledFrame | undefined {
    const partial = this.#partialFor(packet, now);
    if (partial === undefined) return undefined;
    const held = partial.bytesHeld;
    const arrival = partial.add(packet, now);
    this.#pendingBytes += partial.bytesHeld - held;
    const { result } = arrival;
    if (result !== "new") {
      this.#stats.packetsDropped[result]++;
      return undefined;
    }
    this.#stats.packetsUsed++;
    this.#credit = Math.min(MAX_CREDIT, this.#credit + packet.payload.length);
    if (arrival.recovered) this.#stats.packetsRecovered++;
    if (arrival.spurious) {
      // Asked for, but the first send came after all: it was reordered, not
      // lost. Wait longer before asking for gaps from now on.
      this.#stats.packetsMissing--;
      this.#waits.reordered(arrival.lateMs);
    }
    return this.#settle(partial);
  }

  /**
   * Takes one parity datagram received at `now` and returns the frame it
   * completes by rebuilding a missing fragment, if any.
   */
  pushParity(packet: Parity, now: number): AssembledFrame | undefined {
    const partial = this.#partialFor(packet, now);
    if (partial === undefined) return undefined;
    const held = partial.bytesHeld;
    const parities = partial.parities;
    const rebuilt = partial.addParity(packet, now);
    this.#pendingBytes += partial.bytesHeld - held;
    if (rebuilt < 0) {
      this.#stats.packetsDropped.inconsistent++;
      return undefined;
    }
    if (partial.parities > parities) {
      this.#credit = Math.min(MAX_CREDIT, this.#credit + packet.payload.length);
    }
    return this.#settle(partial);
  }

  /**
   * Gives up frames past their deadline at `now`, and returns the missing
   * fragments of the others that are due to be asked for (see
   * {@linkcode PartialFrame.due}), oldest frame first.
   */
  due(now: number, options: DueOptions): NackRange[] {
    const ranges: NackRange[] = [];
    const waits = this.#waits.waits(options);
    for (const partial of this.#partials.values()) {
      const held = partial.bytesHeld;
      const due = partial.due(now, waits, this.#countMissing);
      this.#pendingBytes += partial.bytesHeld - held;
      if (this.#isLate(partial, now)) {
        this.#drop(partial, "late");
      } else {
        ranges.push(...due);
      }
    }
    // Bookkeeping is made for a frame once it misses a fragment.
    this.#fit();
    return ranges.sort((a, b) => a.frame - b.frame);
  }

  #partialFor(packet: Data | Parity, now: number): PartialFrame | undefined {
    const { frame } = packet;
    const admission = this.#order.admit(frame, now);
    if (admission === "late") {
      this.#stats.packetsDropped.late++;
      return undefined;
    }
    if (admission === "resync") {
      // Starts over from the frames that arrive now, forgetting a wrong newest frame.
      for (const partial of [...this.#partials.values()]) this.#remove(partial);
      this.#stats.resyncs++;
    }
    const partial = this.#partials.get(frame);
    if (partial === undefined) return this.#start(packet, now);
    // Resends come a round trip later: they say nothing of the sender's pace.
    if (!("resent" in packet && packet.resent)) {
      this.#waits.gap(now - partial.lastArrival);
    }
    if (this.#isLate(partial, now)) {
      this.#drop(partial, "late");
      this.#stats.packetsDropped.late++;
      return undefined;
    }
    if (!partial.matches(packet)) {
      this.#stats.packetsDropped.inconsistent++;
      return undefined;
    }
    return partial;
  }

  #isLate(partial: PartialFrame, now: number): boolean {
    return partial.isLate(now, this.budgetMs) || now - partial.firstArrival > this.#maxAgeMs;
  }

  #settle(partial: PartialFrame): AssembledFrame | undefined {
    this.#stats.packetsRebuilt += partial.rebuilt;
    partial.rebuilt = 0;
    if (partial.complete) return this.#emit(partial);
    this.#fit();
    return undefined;
  }

  /**
   * Gives up the oldest frames in progress while they hold more than the
   * bound: a frame grows as its fragments, parity and bookkeeping come.
   */
  #fit(): void {
    while (this.#pendingBytes > this.#maxPendingBytes) this.#drop(this.#oldest(), "evicted");
  }

  #start(packet: Data | Parity, now: number): PartialFrame | undefined {
    const { frameLength, fragmentSize } = packet;
    if (
      frameLength > this.#maxFrameBytes ||
      PartialFrame.maxBytes(frameLength, fragmentSize) > this.#maxPendingBytes
    ) {
      this.#stats.packetsDropped.oversize++;
      return undefined;
    }
    const count = Math.ceil(frameLength / fragmentSize);
    const starts = startsFor(count);
    if (!this.#starts.canStart(starts, now)) {
      this.#stats.packetsDropped.throttled++;
      return undefined;
    }
    for (const partial of this.#partials.values()) {
      if (this.#isLate(partial, now)) this.#drop(partial, "late");
    }
    // Never at the cost of frames in progress: a frame that must wait for room waits for bytes.
    const upFront = frameLength <= this.#credit &&
      this.#pendingBytes + frameLength + count <= this.#maxPendingBytes;
    // What the frame holds at once: its buffer if allocated whole, and which fragments came.
    const first = (upFront ? frameLength : 0) + count;
    while (
      this.#partials.size > 0 &&
      (this.#partials.size >= this.#maxFrames ||
        this.#pendingBytes + first > this.#maxPendingBytes)
    ) {
      const oldest = this.#oldest();
      if (packet.frame < oldest.frame) {
        // Older than everything in progress, with no room: the newer frames win.
        this.#stats.packetsDropped.late++;
        return undefined;
      }
      this.#drop(oldest, "evicted");
    }
    this.#starts.spend(starts);
    if (upFront) this.#credit -= frameLength;
    this.#countLost(packet.frame);
    const partial = new PartialFrame(packet, now, { upFront });
    this.#partials.set(packet.frame, partial);
    this.#pendingBytes += partial.bytesHeld;
    return partial;
  }

  /** Frames skipped over count as lost until a datagram of theirs turns up. */
  #countLost(frame: number): void {
    const stats = this.#stats;
    const skipped = this.#order.start(frame);
    if (skipped >= 0) {
      stats.framesDropped.lost += skipped;
      stats.packetsLost += skipped * this.#fragmentsPerFrame;
    } else if (stats.framesDropped.lost > 0) {
      stats.framesDropped.lost--;
      stats.packetsLost = Math.max(0, stats.packetsLost - this.#fragmentsPerFrame);
    }
  }

  #oldest(): PartialFrame {
    let oldest: PartialFrame | undefined;
    for (const partial of this.#partials.values()) {
      if (oldest === undefined || partial.frame < oldest.frame) oldest = partial;
    }
    return oldest!;
  }

  #remove(partial: PartialFrame): void {
    this.#partials.delete(partial.frame);
    this.#pendingBytes -= partial.bytesHeld;
  }

  #drop(partial: PartialFrame, reason: "late" | "superseded" | "evicted"): void {
    this.#remove(partial);
    this.#order.gaveUp(partial.frame);
    this.#stats.framesDropped[reason]++;
    this.#stats.packetsLost += partial.missing;
  }

  #emit(partial: PartialFrame): AssembledFrame {
    this.#remove(partial);
    // A frame that completes was worth its start: the budget is for those that do not.
    this.#starts.giveBack(startsFor(partial.count));
    // Everything older than the frame emitted can no longer be shown.
    for (const other of this.#partials.values()) {
      if (other.frame < partial.frame) this.#drop(other, "superseded");
    }
    this.#order.emitted(partial.frame);
    this.#waits.frameEmitted();
    this.#fragmentsPerFrame = this.#fragmentsPerFrame === 0
      ? partial.count
      : this.#fragmentsPerFrame * 0.9 + partial.count * 0.1;
    this.#stats.framesCompleted++;
    return {
      frame: partial.frame,
      data: partial.data,
      captureTime: partial.captureTime,
      fragments: partial.count,
      firstArrival: partial.firstArrival,
    };
  }
}
