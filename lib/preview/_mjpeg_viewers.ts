import { pause } from "../util/pause.ts";
import type { LatestValue } from "../hub/latest_value.ts";
import type { ReceivedFrame } from "../hub/frame.ts";
import {
  mjpegBoundary,
  mjpegContentType,
  mjpegPartEnd,
  mjpegPartHeader,
  mjpegPreamble,
} from "./mjpeg.ts";
import type { PreviewStats } from "./preview_handler.ts";
import { textResponse } from "./_text_response.ts";

/** Options for {@linkcode MjpegViewers}, resolved: see `PreviewOptions`. */
export interface MjpegViewersOptions {
  /** The newest whole frame. */
  frames: LatestValue<ReceivedFrame>;
  /** The most viewers at once. */
  maxViewers: number;
  /** How long a viewer may leave what it was given untaken, in ms, before it is dropped. */
  stallMs: number;
}

/** A `/stream.mjpg` viewer: since when it has left bytes untaken, and how to drop it. */
interface Viewer {
  stalledSince: number | undefined;
  drop(why: string): void;
}

/** The range of `/stream.mjpg?fps=N`. */
const VIEWER_FPS = { min: 0.1, max: 1000 } as const;

/**
 * The viewers of `/stream.mjpg` and their counters: each response carries one
 * whole JPEG a part, between boundaries drawn at random for it; a slow viewer
 * gets the newest frame and skips the rest, so it holds at most one frame,
 * and one that takes nothing for `stallMs` is dropped.
 */
export class MjpegViewers {
  #frames: LatestValue<ReceivedFrame>;
  #maxViewers: number;
  #stallMs: number;
  #counters: PreviewStats = {
    viewers: 0,
    framesServed: 0,
    framesSkipped: 0,
    framesCapped: 0,
    viewersDropped: 0,
  };
  #viewers = new Set<Viewer>();
  /** Every viewer of a frame gets the same header bytes: made once. */
  #header: { seq: number; bytes: Uint8Array } = { seq: 0, bytes: new Uint8Array() };

  /** Serves no one until {@linkcode MjpegViewers.serve} is called. */
  constructor(options: MjpegViewersOptions) {
    this.#frames = options.frames;
    this.#maxViewers = options.maxViewers;
    this.#stallMs = options.stallMs;
  }

  /** The viewer counters now, a copy. */
  get stats(): PreviewStats {
    return { ...this.#counters };
  }

  /** The response to `GET /stream.mjpg` (and its `?fps=N`): a stream, or why not. */
  serve(url: URL): Response {
    const counters = this.#counters;
    const frames = this.#frames;
    const stallMs = this.#stallMs;
    const fps = viewerFps(url.searchParams.get("fps"));
    if (fps === "invalid") {
      return textResponse(
        400,
        `fps must be a number from ${VIEWER_FPS.min} to ${VIEWER_FPS.max}, as in /stream.mjpg?fps=5\n`,
      );
    }
    if (counters.viewers >= this.#maxViewers && !this.#makeRoom(stallMs / 5)) {
      return textResponse(503, `Too many viewers (${this.#maxViewers}); try again later\n`);
    }
    counters.viewers++;
    const abort = new AbortController();
    // With ?fps=N, frame k goes out no sooner than k / N s after the first: on
    // that timeline, not N s after the last, so waiting for the next frame
    // does not slow the viewer below N.
    const intervalMs = fps === undefined ? 0 : 1000 / fps;
    let due = -Infinity;
    let seq = 0;
    let open = true;
    // Each response has its own boundary, drawn before any frame it carries.
    const boundary = mjpegBoundary();
    const partEnd = mjpegPartEnd(boundary);
    // Runs while bytes handed over wait to be read: a pull means all were.
    let stall: ReturnType<typeof setTimeout> | undefined;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const viewer: Viewer = {
      stalledSince: undefined,
      drop(why: string) {
        counters.viewersDropped++;
        done();
        controller.error(new Error(`The viewer ${why}`));
      },
    };
    this.#viewers.add(viewer);
    const done = () => {
      if (!open) return;
      open = false;
      clearTimeout(stall);
      this.#viewers.delete(viewer);
      counters.viewers--;
      abort.abort();
    };
    const watch = () => {
      viewer.stalledSince = performance.now();
      stall = setTimeout(() => viewer.drop(`took nothing for ${stallMs / 1000} s`), stallMs);
    };
    const partHeader = (seq: number, frame: ReceivedFrame) => this.#partHeader(seq, frame);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        controller.enqueue(mjpegPreamble(boundary));
        watch();
      },
      async pull(controller) {
        clearTimeout(stall);
        viewer.stalledSince = undefined;
        let capped = false;
        if (intervalMs > 0) {
          const now = performance.now();
          capped = due > now;
          if (capped) await pause(due - now, abort.signal);
        }
        const next = await frames.next(seq, abort.signal);
        if (next === undefined) {
          if (open) controller.close();
          done();
          return;
        }
        if (seq > 0) {
          const skipped = next.seq - seq - 1;
          if (capped) counters.framesCapped += skipped;
          else counters.framesSkipped += skipped;
        }
        if (intervalMs > 0) {
          const now = performance.now();
          due = due + intervalMs < now ? now + intervalMs : due + intervalMs;
        }
        seq = next.seq;
        const frame = next.value;
        controller.enqueue(partHeader(next.seq, frame));
        controller.enqueue(frame.data);
        controller.enqueue(partEnd);
        counters.framesServed++;
        watch();
      },
      cancel: done,
    }, { highWaterMark: 0 });
    return new Response(body, {
      headers: {
        "content-type": mjpegContentType(boundary),
        "cache-control": "no-store, no-cache, must-revalidate",
        "pragma": "no-cache",
        "x-content-type-options": "nosniff",
      },
    });
  }

  /** Drops the viewer that has left bytes untaken longest, if for `ms` or more; whether one was. */
  #makeRoom(ms: number): boolean {
    const now = performance.now();
    let longest: Viewer | undefined;
    for (const viewer of this.#viewers) {
      const since = viewer.stalledSince;
      if (since === undefined || now - since < ms) continue;
      if (longest === undefined || since < longest.stalledSince!) longest = viewer;
    }
    if (longest === undefined) return false;
    const seconds = ((now - longest.stalledSince!) / 1000).toFixed(1);
    longest.drop(`took nothing for ${seconds} s and gave way to a new one`);
    return true;
  }

  #partHeader(seq: number, frame: ReceivedFrame): Uint8Array {
    if (this.#header.seq !== seq) {
      this.#header = {
        seq,
        bytes: mjpegPartHeader({
          length: frame.data.length,
          timestamp: frame.localCaptureTime,
          frame: frame.frame,
          signal: frame.signal,
        }),
      };
    }
    return this.#header.bytes;
  }
}

/** `?fps=N` read: none, a rate in range, or not one. */
function viewerFps(value: string | null): number | undefined | "invalid" {
  if (value === null || value === "") return undefined;
  const fps = Number(value);
  return Number.isFinite(fps) && fps >= VIEWER_FPS.min && fps <= VIEWER_FPS.max ? fps : "invalid";
}
