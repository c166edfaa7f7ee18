/**
 * What a `Map` entry costs V8, in bytes, about: the fragments of a frame kept
 * as they come are found through one.
 */
const MAP_ENTRY_BYTES = 32;
/** The smallest buffer a frame kept as its fragments come starts with, in bytes. */
const MIN_SLAB = 1024;
/**
 * A frame not allocated up front gets its whole buffer once this share of its
 * bytes has come: it then holds at most this many times what came, and the
 * fragments kept until then, copied twice, are no more than this share.
 */
export const PROMOTE_AT = 1 / 8;

/** The layout of a {@linkcode FragmentBuffer}'s frame, and how it keeps its bytes. */
export interface FragmentBufferOptions {
  /** The whole frame's length in bytes. */
  frameLength: number;
  /** The payload size of every fragment but the last. */
  fragmentSize: number;
  /**
   * Allocate the whole frame's buffer at once: as much memory as the frame
   * claims, before it has sent any. Otherwise its first fragments are kept in
   * a buffer that grows as they come, and the whole frame's buffer is
   * allocated once an eighth of its bytes have come (see {@linkcode PROMOTE_AT}).
   * @default {false}
   */
  upFront?: boolean;
}

/**
 * Where one frame's fragments are kept: in the frame's own buffer, each in
 * its place, or until an eighth of the frame has come, in a buffer that
 * grows as they come. It does not know which fragments came: the caller
 * stores each once.
 */
export class FragmentBuffer {
  readonly #frameLength: number;
  readonly #fragmentSize: number;
  readonly #count: number;
  /** The frame's bytes, each fragment in its place, once allocated. */
  #data: Uint8Array<ArrayBuffer> | undefined;
  /** Until then, the fragments in the order they came, each at a multiple of `fragmentSize`. */
  #slab: Uint8Array<ArrayBuffer> | undefined;
  /** Where each fragment kept in `#slab` starts in it. */
  #slots: Map<number, number> | undefined;
  /** Bytes of the fragments kept in `#slab`. */
  #kept = 0;
  /** What {@linkcode bytesHeld} says, kept up to date as buffers are made. */
  #held = 0;

  /** An empty buffer for a frame of this layout. */
  constructor(options: FragmentBufferOptions) {
    this.#frameLength = options.frameLength;
    this.#fragmentSize = options.fragmentSize;
    this.#count = Math.ceil(options.frameLength / options.fragmentSize);
    if (options.upFront) {
      this.#data = new Uint8Array(this.#frameLength);
      this.#held = this.#frameLength;
    } else {
      this.#slots = new Map();
    }
  }

  /**
   * The most a buffer for this layout can hold, however its fragments come:
   * every fragment kept in a slot of `fragmentSize`, found through a `Map`.
   */
  static maxBytes(frameLength: number, fragmentSize: number): number {
    const count = Math.ceil(frameLength / fragmentSize);
    return count * fragmentSize + count * MAP_ENTRY_BYTES;
  }

  /** The bytes this buffer holds now: the frame's, or the fragments kept so far and their slots. */
  get bytesHeld(): number {
    return this.#held;
  }

  /** The frame's buffer, once allocated; every fragment is in it once all have come. */
  get data(): Uint8Array<ArrayBuffer> | undefined {
    return this.#data;
  }

  /** Stores fragment `index`, which must not be stored yet. */
  set(index: number, payload: Uint8Array): void {
    if (this.#data !== undefined) this.#data.set(payload, index * this.#fragmentSize);
    else this.#keep(index, payload);
  }

  /** Fragment `index`'s bytes, which must be stored. */
  get(index: number): Uint8Array {
    const start = this.#data !== undefined ? index * this.#fragmentSize : this.#slots!.get(index)!;
    return (this.#data ?? this.#slab!).subarray(start, start + this.lengthOf(index));
  }

  /** How long fragment `index` is: `fragmentSize`, but for the last. */
  lengthOf(index: number): number {
    return Math.min(this.#fragmentSize, this.#frameLength - index * this.#fragmentSize);
  }

  /**
   * Copies a fragment into the next slot of `#slab`, growing it (to twice its
   * size, at most to every fragment's slot) when it is full: never more than
   * about twice the bytes that came. Once {@linkcode PROMOTE_AT} of the
   * frame has come, allocates the frame's buffer and moves them into place.
   */
  #keep(index: number, payload: Uint8Array): void {
    const slots = this.#slots!;
    const at = slots.size * this.#fragmentSize;
    const end = at + payload.length;
    let slab = this.#slab;
    if (slab === undefined || end > slab.length) {
      const most = this.#count * this.#fragmentSize;
      const grown = new Uint8Array(
        Math.min(most, Math.max(end, MIN_SLAB, 2 * (slab?.length ?? 0))),
      );
      if (slab !== undefined) grown.set(slab.subarray(0, at));
      this.#held += grown.length - (slab?.length ?? 0);
      this.#slab = slab = grown;
    }
    slab.set(payload, at);
    slots.set(index, at);
    this.#held += MAP_ENTRY_BYTES;
    this.#kept += payload.length;
    if (this.#kept < this.#frameLength * PROMOTE_AT) return;
    const data = new Uint8Array(this.#frameLength);
    for (const [kept, start] of slots) {
      data.set(slab.subarray(start, start + this.lengthOf(kept)), kept * this.#fragmentSize);
    }
    this.#held += data.length - slab.length - slots.size * MAP_ENTRY_BYTES;
    this.#data = data;
    this.#slab = undefined;
    this.#slots = undefined;
  }
}
