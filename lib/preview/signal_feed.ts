import { wallClock } from "../util/clock.ts";
import type { FrameSignal, ReceivedFrame } from "../hub/frame.ts";
import { LatestValue } from "../hub/latest_value.ts";
import { noSignalFrameSize, type RenderNoSignalFrameOptions } from "./no_signal_frame.ts";
import { NoSignalRenderer } from "./no_signal_renderer.ts";
import type { LinkState } from "../receive/link_state.ts";

/** What a {@linkcode SignalFeed} needs to know of the link, as `UdpReceiver.stats()` gives it. */
export interface SignalLinkStatus {
  /** The link's state. */
  state: LinkState;
  /** Why the link is in its state, in words. */
  stateReason: string;
  /** The sender's address as `HOST:PORT`, if known. */
  sender?: string;
}

/** Options for a {@linkcode SignalFeed}. */
export interface SignalFeedOptions {
  /** The real frames, as the receiver publishes them. */
  frames: LatestValue<ReceivedFrame>;
  /** The link's state now, such as `() => ({ state: receiver.state, stateReason: receiver.stateReason })`. */
  link: () => SignalLinkStatus;
  /** The wall clock, in ms since the epoch: the time shown, and when to draw again. @default {wallClock} */
  now?: () => number;
  /**
   * Draws a no-signal frame as a JPEG.
   * @default a {@linkcode NoSignalRenderer}'s, in a worker the feed stops on close
   */
  render?: (options: RenderNoSignalFrameOptions) => Promise<Uint8Array<ArrayBuffer>>;
  /** Called with the error when drawing fails, once until drawing works again. @default ignores it */
  onError?: (error: unknown) => void;
  /** How often the link's state is looked at, in ms. @default {100} */
  checkMs?: number;
  /** How often a no-signal frame is drawn again while the state lasts, in ms. @default {1000} */
  refreshMs?: number;
  /**
   * How long after the start, in ms, the "waiting" placeholder is first drawn.
   * A sender that is there sends its first frame well within it; the first
   * drawing (a second or two, to start the worker and rasterize the font)
   * would then be for nothing, and would hold up a "no signal" frame that
   * follows soon after.
   * @default {1000}
   */
  graceMs?: number;
}

/** Counters of a {@linkcode SignalFeed}. */
export interface SignalFeedStats {
  /** Real frames passed on. */
  framesPassed: number;
  /** No-signal frames drawn and published. */
  framesDrawn: number;
  /** No-signal frames drawn and not published: a real frame came, or the link came back, meanwhile. */
  framesDiscarded: number;
}

/**
 * What the preview shows: every real frame as it is, and while the link is not
 * `live` a frame drawn in place of video (see `renderNoSignalFrame`), in a
 * worker (see {@linkcode NoSignalRenderer}),
 * marked with {@linkcode ReceivedFrame.signal}:
 * - `waiting` before any frame came,
 * - `lost` once frames had come, with the time the last one arrived,
 * - `refused` when the sender refuses this receiver, with the reason.
 *
 * Such a frame is published as soon as the state is seen (within `checkMs`)
 * and drawn again every `refreshMs` while it lasts, so its "ago" counter ticks;
 * a viewer that connects meanwhile gets the newest one at once. It has the
 * size of the last real frame, so the picture does not jump. Drawing happens
 * at most once per `refreshMs` and state change, never per real frame.
 *
 * @example Usage
 * ```ts ignore
 * const feed = new SignalFeed({
 *   frames: receiver.frames,
 *   link: () => ({ state: receiver.state, stateReason: receiver.stateReason }),
 * });
 * const handler = createPreviewHandler({ frames: feed.display, stats: () => receiver.stats() });
 * // ...
 * await feed.close();
 * ```
 */
export class SignalFeed {
  /** The frames to show: the real ones, and no-signal frames in between. */
  readonly display: LatestValue<ReceivedFrame> = new LatestValue();
  #frames: LatestValue<ReceivedFrame>;
  #link: () => SignalLinkStatus;
  #now: () => number;
  #render: (options: RenderNoSignalFrameOptions) => Promise<Uint8Array<ArrayBuffer>>;
  #renderer: NoSignalRenderer | undefined;
  #onError: (error: unknown) => void;
  #refreshMs: number;
  #waitingFrom: number;
  #timer: ReturnType<typeof setInterval>;
  #abort = new AbortController();
  #closed = false;
  #relaying: Promise<void>;
  #drawing: Promise<void> | undefined;
  #failed = false;
  /** The newest real frame. */
  #last: ReceivedFrame | undefined;
  /** What the newest no-signal frame said, and when the next one is due. */
  #shown: { key: string; due: number } | undefined;
  #stats: SignalFeedStats = { framesPassed: 0, framesDrawn: 0, framesDiscarded: 0 };

  /**
   * Starts passing frames on and watching the link; a no-signal frame is
   * drawn at once if the link is not `live`.
   *
   * @throws {RangeError} If `checkMs` or `refreshMs` is not a positive number.
   */
  constructor(options: SignalFeedOptions) {
    const checkMs = options.checkMs ?? 100;
    const refreshMs = options.refreshMs ?? 1000;
    for (const [name, value] of [["checkMs", checkMs], ["refreshMs", refreshMs]] as const) {
      if (!Number.isFinite(value) || value <= 0) {
        throw new RangeError(`Signal feed ${name} must be a positive number, got ${value}`);
      }
    }
    this.#frames = options.frames;
    this.#link = options.link;
    this.#now = options.now ?? wallClock;
    if (options.render !== undefined) {
      this.#render = options.render;
    } else {
      const renderer = this.#renderer = new NoSignalRenderer();
      this.#render = (frame) => renderer.render(frame);
    }
    this.#onError = options.onError ?? (() => {});
    this.#refreshMs = refreshMs;
    this.#waitingFrom = this.#now() + (options.graceMs ?? 1000);
    this.#relaying = this.#relay();
    this.#timer = setInterval(() => this.#check(), checkMs);
    this.#check();
  }

  /** Counters since the feed was made. */
  get stats(): SignalFeedStats {
    return { ...this.#stats };
  }

  /**
   * Stops watching, waits for a frame being drawn, stops its own renderer's
   * worker, and closes {@linkcode SignalFeed.display}, which ends every
   * viewer's wait. Also happens on its own when the real frames close, but
   * for the worker. Safe to call twice.
   */
  async close(): Promise<void> {
    this.#stop();
    await this.#relaying;
    await this.#drawing;
    await this.#renderer?.close();
  }

  #stop(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#abort.abort();
    this.display.close();
  }

  async #relay(): Promise<void> {
    let seq = 0;
    for (;;) {
      const next = await this.#frames.next(seq, this.#abort.signal);
      if (next === undefined || this.#closed) break;
      seq = next.seq;
      this.#last = next.value;
      this.#shown = undefined;
      this.#stats.framesPassed++;
      this.display.publish(next.value);
    }
    this.#stop();
  }

  #check(): void {
    if (this.#closed || this.#drawing !== undefined) return;
    const link = this.#link();
    if (link.state === "live") {
      this.#shown = undefined;
      return;
    }
    const now = this.#now();
    const signal: FrameSignal = link.state === "refused"
      ? "refused"
      : this.#last === undefined
      ? "waiting"
      : "lost";
    if (signal === "waiting" && now < this.#waitingFrom) return;
    const key = `${signal}\n${link.stateReason}\n${link.sender}`;
    // The same drawing again is due a period after the last one was, unless that is past.
    const last = this.#shown?.key === key ? this.#shown.due : -Infinity;
    if (now < last) return;
    const due = now < last + this.#refreshMs ? last + this.#refreshMs : now + this.#refreshMs;
    this.#shown = { key, due };
    this.#drawing = this.#draw(signal, link, now).finally(() => this.#drawing = undefined);
  }

  async #draw(signal: FrameSignal, link: SignalLinkStatus, now: number): Promise<void> {
    const last = this.#last;
    const size = noSignalFrameSize(last?.width ?? 640, last?.height ?? 360);
    let data: Uint8Array<ArrayBuffer>;
    try {
      data = await this.#render({
        signal,
        ...size,
        lostAt: last?.receivedAt,
        now,
        reason: link.stateReason,
        sender: link.sender,
      });
    } catch (error) {
      if (this.#closed) return;
      if (!this.#failed) this.#onError(error);
      this.#failed = true;
      return;
    }
    this.#failed = false;
    // A real frame that came while this one was drawn wins.
    if (this.#closed || this.#last !== last || this.#link().state === "live") {
      this.#stats.framesDiscarded++;
      return;
    }
    this.#stats.framesDrawn++;
    this.display.publish({
      data,
      captureTime: now,
      localCaptureTime: now,
      receivedAt: now,
      ...size,
      frame: last?.frame ?? 0,
      signal,
    });
  }
}
