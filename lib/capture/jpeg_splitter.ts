import { MAX_FRAME_BYTES } from "../hub/frame.ts";
import { EOI, RST0, RST7, SOI, SOS, TEM } from "../image/jpeg_markers.ts";

/** Options for {@linkcode JpegSplitter}. */
export interface JpegSplitterOptions {
  /**
   * Largest JPEG in bytes. A longer one is dropped and the splitter looks for the next SOI, so a
   * corrupt stream never holds more than this much memory.
   *
   * @default {16777216} 16 MiB
   */
  maxFrameSize?: number;
}

// The stream is a run of JPEGs, possibly with junk between them:
//
//  junk | FFD8 | FFxx len segment | ... | FFDA len header | entropy-coded data | FFD9 | junk | FFD8 ...
//        SOI    (APPn, DQT, SOF...)      SOS                                      EOI
//
// After SOI the splitter follows marker segments by their length, so that bytes inside a segment
// (an EXIF thumbnail in APP1 holds its own FFD8..FFD9) are skipped unread. After each SOS header
// comes entropy-coded data, in which 0xFF is followed by 0x00 (a stuffed byte) or RST0..RST7;
// any other byte after 0xFF is the next marker: EOI, or another table or scan (progressive).

const STUFFED = 0x00;

/** Parser states. */
const SEEK_SOI = 0;
const MARKER = 1;
const LENGTH = 2;
const SKIP = 3;
const ENTROPY = 4;

const FF = Uint8Array.of(0xff);

/**
 * Splits a byte stream of concatenated JPEGs (such as ffmpeg's `-f mjpeg` output, cut into chunks
 * anywhere) into whole JPEGs, SOI to EOI inclusive. Bytes outside a JPEG are skipped.
 *
 * A JPEG that lies inside one chunk is passed on as a `subarray` of that chunk, without copying;
 * chunks must therefore not be reused by the writer. A JPEG that spans chunks is copied once.
 * Each input byte is looked at once, whatever the chunk sizes.
 *
 * @example
 * ```ts
 * const frames = child.stdout.pipeThrough(new JpegSplitter());
 * for await (const jpeg of frames) console.log(jpeg.length);
 * ```
 */
export class JpegSplitter extends TransformStream<Uint8Array, Uint8Array> {
  #maxFrameSize: number;
  #state = SEEK_SOI;
  /** The last byte seen was an 0xFF whose marker code is still to come. */
  #afterFF = false;
  /** The marker whose segment is being read (LENGTH, SKIP). */
  #marker = 0;
  /** The high byte of a segment length cut off by a chunk boundary, or -1. */
  #lengthHigh = -1;
  /** Payload bytes of the current segment still to skip (SKIP). */
  #skip = 0;
  /** The current JPEG's bytes from earlier chunks. */
  #parts: Uint8Array[] = [];
  #partsLength = 0;

  /**
   * Makes a splitter.
   *
   * @param options The size bound.
   */
  constructor(options: JpegSplitterOptions = {}) {
    const { maxFrameSize = MAX_FRAME_BYTES } = options;
    if (!(Number.isInteger(maxFrameSize) && maxFrameSize > 0)) {
      throw new RangeError(
        `Largest frame size must be a positive whole number, got ${maxFrameSize}`,
      );
    }
    super({ transform: (chunk, controller) => this.#transform(chunk, controller) });
    this.#maxFrameSize = maxFrameSize;
  }

  #transform(chunk: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>) {
    const n = chunk.length;
    if (n === 0) return;
    // Where the current JPEG starts in this chunk; 0 when it began in an earlier one.
    let start = 0;
    let i = 0;
    while (i < n) {
      switch (this.#state) {
        case SEEK_SOI: {
          if (this.#afterFF) {
            this.#afterFF = false;
            if (chunk[i] === SOI) {
              start = this.#beginFrame(i);
              i += 1;
              break;
            }
          }
          const ff = chunk.indexOf(0xff, i);
          if (ff < 0 || ff === n - 1) {
            this.#afterFF = ff >= 0;
            i = n;
          } else if (chunk[ff + 1] === SOI) {
            start = this.#beginFrame(ff + 1);
            i = ff + 2;
          } else {
            i = ff + 1;
          }
          break;
        }
        case MARKER: {
          const byte = chunk[i++];
          if (!this.#afterFF) {
            if (byte === 0xff) this.#afterFF = true;
            else this.#dropFrame(); // corrupt: look for the next SOI
          } else if (byte !== 0xff) { // more 0xFF are fill bytes
            this.#afterFF = false;
            start = this.#onMarker(chunk, i, start, controller);
          }
          break;
        }
        case LENGTH: {
          const byte = chunk[i++];
          if (this.#lengthHigh < 0) {
            this.#lengthHigh = byte;
            break;
          }
          const length = (this.#lengthHigh << 8) | byte;
          this.#lengthHigh = -1;
          if (length < 2) {
            this.#dropFrame(); // corrupt: look for the next SOI
          } else {
            this.#skip = length - 2;
            this.#state = this.#skip === 0 ? this.#afterSegment() : SKIP;
          }
          break;
        }
        case SKIP: {
          const take = Math.min(this.#skip, n - i);
          i += take;
          this.#skip -= take;
          if (this.#skip === 0) this.#state = this.#afterSegment();
          break;
        }
        case ENTROPY: {
          if (!this.#afterFF) {
            const ff = chunk.indexOf(0xff, i);
            if (ff < 0) {
              i = n;
            } else {
              this.#afterFF = true;
              i = ff + 1;
            }
            break;
          }
          const byte = chunk[i++];
          if (byte === 0xff) break; // fill byte: still after 0xFF
          this.#afterFF = false;
          if (byte !== STUFFED && !(byte >= RST0 && byte <= RST7)) {
            start = this.#onMarker(chunk, i, start, controller);
          }
          break;
        }
      }
    }
    if (this.#state === SEEK_SOI) return;
    // The JPEG goes on in the next chunk.
    this.#parts.push(start === 0 ? chunk : chunk.subarray(start));
    this.#partsLength += n - start;
    if (this.#partsLength > this.#maxFrameSize) {
      this.#dropFrame();
      this.#afterFF = chunk[n - 1] === 0xff;
    }
  }

  /**
   * Starts a JPEG whose SOI code is at `soi`, its 0xFF being just before it or at the end of the
   * previous chunk. Drops any unfinished JPEG. Returns where the JPEG starts in this chunk.
   */
  #beginFrame(soi: number): number {
    this.#parts = [];
    this.#partsLength = 0;
    this.#state = MARKER;
    this.#afterFF = false;
    if (soi >= 1) return soi - 1;
    this.#parts.push(FF);
    this.#partsLength = 1;
    return 0;
  }

  /** Handles the marker whose code ends just before `next`. Returns the JPEG's new start. */
  #onMarker(
    chunk: Uint8Array,
    next: number,
    start: number,
    controller: TransformStreamDefaultController<Uint8Array>,
  ): number {
    const code = chunk[next - 1];
    if (code === EOI) {
      this.#endFrame(chunk, start, next, controller);
      return 0;
    }
    if (code === SOI) return this.#beginFrame(next - 1); // the last one was cut short
    if (code === STUFFED) {
      this.#dropFrame(); // not a marker outside entropy-coded data: look for the next SOI
      return 0;
    }
    if (code === TEM || (code >= RST0 && code <= RST7)) {
      this.#state = MARKER; // no length follows
      return start;
    }
    this.#marker = code;
    this.#lengthHigh = -1;
    this.#state = LENGTH;
    return start;
  }

  #afterSegment(): number {
    return this.#marker === SOS ? ENTROPY : MARKER;
  }

  #endFrame(
    chunk: Uint8Array,
    start: number,
    end: number,
    controller: TransformStreamDefaultController<Uint8Array>,
  ) {
    const length = this.#partsLength + end - start;
    if (length <= this.#maxFrameSize) {
      if (this.#parts.length === 0) {
        controller.enqueue(chunk.subarray(start, end));
      } else {
        const jpeg = new Uint8Array(length);
        let offset = 0;
        for (const part of this.#parts) {
          jpeg.set(part, offset);
          offset += part.length;
        }
        jpeg.set(chunk.subarray(0, end), offset);
        controller.enqueue(jpeg);
      }
    }
    this.#dropFrame();
  }

  /** Forgets the current JPEG and looks for the next SOI. */
  #dropFrame() {
    this.#parts = [];
    this.#partsLength = 0;
    this.#state = SEEK_SOI;
    this.#afterFF = false;
  }
}
