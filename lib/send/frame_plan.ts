import { DATA_HEADER_SIZE } from "../wire/data.ts";
import { fragmentFrame } from "../wire/fragment_frame.ts";
import { parityDatagrams } from "../wire/parity_datagrams.ts";

/** Options for {@linkcode planFrame}. */
export interface FramePlanOptions {
  /** The session id. */
  session: number;
  /** The frame's number. */
  frame: number;
  /** The largest datagram in the clear, in bytes (the MTU less the seal's overhead, if sealed). */
  mtu: number;
  /** Fragments per parity datagram (forward error correction); 0 for none. */
  fecGroup: number;
  /** The frame's datagrams are sent evenly over this many ms; 0 sends them back to back. */
  spreadMs: number;
  /** The frame interval, in ms: the spread is never more than half of it. */
  intervalMs: number;
  /** How many receivers each datagram goes to. */
  receivers: number;
}

/** How one frame goes out: its datagrams, and how far apart they are sent. */
export interface FramePlan {
  /** The frame's fragments, in order: these are kept to answer NACKs. */
  fragments: Uint8Array[];
  /** The parity datagrams sent after them; none without FEC, or for a frame of one fragment. */
  parity: Uint8Array[];
  /**
   * The time, in ms, from one send to the next, counting a send per datagram
   * and receiver: together they fill the spread.
   */
  gapMs: number;
  /**
   * Whether the last fragment goes once more to each lossy link, so that its
   * receiver learns at once where the frame ends: a frame of more than one
   * fragment, without parity (which does that already).
   */
  tailCopy: boolean;
}

/**
 * Cuts a frame (JPEG `data`, captured at `captureTime`) into the datagrams it
 * goes out as, and works out the gap between their sends. Pure: it neither
 * seals nor sends.
 */
export function planFrame(
  data: Uint8Array,
  captureTime: number,
  options: FramePlanOptions,
): FramePlan {
  const { session, frame } = options;
  const fragments = fragmentFrame(data, captureTime, { session, frame, mtu: options.mtu });
  const parity = options.fecGroup > 0 && fragments.length > 1
    ? parityDatagrams(data, captureTime, {
      session,
      frame,
      fragmentSize: fragments[0].length - DATA_HEADER_SIZE,
      groupSize: options.fecGroup,
    })
    : [];
  const total = (fragments.length + parity.length) * options.receivers;
  const spread = Math.min(options.spreadMs, options.intervalMs / 2);
  const gapMs = total > 1 ? spread / (total - 1) : 0;
  return { fragments, parity, gapMs, tailCopy: parity.length === 0 && fragments.length > 1 };
}

/**
 * The time between frames, in ms, as a moving average of the gaps between
 * capture times, for {@linkcode FramePlanOptions.intervalMs}. Pure: fed with
 * each frame's capture time.
 */
export class FrameInterval {
  #ms = 1000 / 30;
  #last: number | undefined;

  /** The average gap so far; a frame rate of 30 until two frames came. */
  get ms(): number {
    return this.#ms;
  }

  /** Takes the capture time of the next frame; gaps of 2 s or more, or not forward, are left out. */
  measure(captureTime: number): void {
    const last = this.#last;
    this.#last = captureTime;
    if (last === undefined) return;
    const gap = captureTime - last;
    if (gap > 0 && gap < 2000) this.#ms = this.#ms * 0.9 + gap * 0.1;
  }
}
