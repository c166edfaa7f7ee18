import type { DueOptions } from "./partial_frame.ts";

/** What a frame's silence is measured against before any gap has been seen, in ms. */
const INITIAL_GAP_MS = 20;
/** How fast the longest recent gap is forgotten, per datagram. */
const GAP_DECAY = 0.995;
/** The longest learnt wait for reordered datagrams, ms. */
const MAX_REORDER_MS = 20;
/** How fast a learnt reorder wait is forgotten, per frame. */
const REORDER_DECAY = 0.995;
/** A frame silent for this many times the longest recent gap has lost its tail. */
const TAIL_GAPS = 3;

/**
 * What a reassembler learns of the network while it waits for gaps: the
 * longest recent wait between two datagrams of one frame (a frame silent for
 * a few times this long has lost its tail), and how long reordered datagrams
 * come late (a gap asked for sooner was not lost). Both are forgotten slowly.
 * Pure: times are given by the caller.
 */
export class RecoveryWaits {
  /** Extra wait for reordered datagrams, learnt from gaps asked for too soon. */
  #reorderMs = 0;
  /**
   * The longest recent wait between two datagrams of one frame, decaying. It
   * starts long, so the first frames of a slowly paced sender are not taken
   * for lost.
   */
  #gapMs = INITIAL_GAP_MS;

  /** The wait for reordered datagrams learnt so far, ms (0 until reordering is seen). */
  get reorderMs(): number {
    return this.#reorderMs;
  }

  /** The longest recent wait between two datagrams of one frame, ms, decaying. */
  get gapMs(): number {
    return this.#gapMs;
  }

  /** Records a wait of `ms` between two datagrams of one frame, first sends both. */
  gap(ms: number): void {
    this.#gapMs = Math.max(ms, this.#gapMs * GAP_DECAY);
  }

  /**
   * Records a fragment asked for whose first send came after all, `lateMs`
   * after it was found missing: wait longer before asking for gaps from now on.
   */
  reordered(lateMs: number): void {
    this.#reorderMs = Math.min(MAX_REORDER_MS, Math.max(this.#reorderMs, lateMs * 1.25));
  }

  /** Records a frame emitted: the learnt reorder wait is forgotten a little. */
  frameEmitted(): void {
    this.#reorderMs *= REORDER_DECAY;
  }

  /** Forgets the pace learnt, as for a new session; the reorder wait is kept. */
  resetGap(): void {
    this.#gapMs = INITIAL_GAP_MS;
  }

  /** `options` with the waits learnt: never shorter than asked. */
  waits(options: DueOptions): DueOptions {
    return {
      ...options,
      tailMs: Math.max(options.tailMs, TAIL_GAPS * this.#gapMs),
      reorderMs: Math.max(options.reorderMs, this.#reorderMs),
    };
  }
}
