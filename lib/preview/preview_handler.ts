import { wallClock } from "../util/clock.ts";
import { FAVICON_SVG } from "./favicon.ts";
import { pause } from "../util/pause.ts";
import type { LatestValue } from "../hub/latest_value.ts";
import {
  mjpegBoundary,
  mjpegContentType,
  mjpegPartEnd,
  mjpegPartHeader,
  mjpegPreamble,
} from "./mjpeg.ts";
import { PREVIEW_PAGE } from "./preview_page.ts";
import type { ReceivedFrame } from "../hub/frame.ts";

/** Options for {@linkcode createPreviewHandler}. */
export interface PreviewOptions {
  /** The newest whole frame. */
  frames: LatestValue<ReceivedFrame>;
  /** The receiver's stats, merged into `/stats`. */
  stats: () => object;
  /**
   * The most `/stream.mjpg` viewers at once.
   * @default {64}
   */
  maxViewers?: number;
  /**
   * How long a `/stream.mjpg` viewer may leave what it was given untaken, in
   * ms, before it is dropped and its place freed: a client that stops reading
   * (its window shut, its process stopped) must not hold a place for good.
   * Waiting for the next frame, or for the next one `?fps=N` allows, is not
   * stalling: only bytes already handed over and not yet read count. While
   * all {@linkcode maxViewers} places are taken, a viewer that has taken
   * nothing for a fifth of this gives way to a new one.
   * @default {10000}
   */
  stallMs?: number;
  /**
   * The body of `/metrics`, in the Prometheus text format 0.0.4.
   * @default {undefined} no `/metrics` (404)
   */
  metrics?: () => string;
}

/** Counters of the preview's viewers. */
export interface PreviewStats {
  /** Viewers of `/stream.mjpg` now. */
  viewers: number;
  /** Frames written to viewers, all viewers together. */
  framesServed: number;
  /** Frames a slow viewer skipped because a newer one was ready. */
  framesSkipped: number;
  /** Frames left out for viewers that asked for fewer a second (`?fps=N`). */
  framesCapped: number;
  /** Viewers dropped for taking nothing for `stallMs`. */
  viewersDropped: number;
}

/** A `/stream.mjpg` viewer: since when it has left bytes untaken, and how to drop it. */
interface Viewer {
  stalledSince: number | undefined;
  drop(why: string): void;
}

/** The range of `/stream.mjpg?fps=N`. */
const VIEWER_FPS = { min: 0.1, max: 1000 } as const;

/** An HTTP handler with its viewer counters. */
export interface PreviewHandler {
  /** Serves one request. */
  (request: Request): Response;
  /** The viewer counters now. */
  readonly stats: PreviewStats;
}

const NO_STORE = { "cache-control": "no-store" };
/** The Prometheus text exposition format, version 0.0.4. */
const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The receiver's HTTP preview as a plain `Request => Response` function:
 * `/` (the page), `/stream.mjpg` (one whole JPEG a part, between boundaries
 * drawn at random for each response; a slow viewer gets the newest frame and
 * skips the rest, so it holds at most one frame, and one that takes nothing
 * for `stallMs` is dropped), `/snapshot.jpg`, `/stats`, and `/metrics` when
 * given.
 */
export function createPreviewHandler(options: PreviewOptions): PreviewHandler {
  const { frames } = options;
  const maxViewers = options.maxViewers ?? 64;
  const stallMs = options.stallMs ?? 10_000;
  const counters: PreviewStats = {
    viewers: 0,
    framesServed: 0,
    framesSkipped: 0,
    framesCapped: 0,
    viewersDropped: 0,
  };
  const viewers = new Set<Viewer>();

  /** Drops the viewer that has left bytes untaken longest, if for `ms` or more; whether one was. */
  function makeRoom(ms: number): boolean {
    const now = performance.now();
    let longest: Viewer | undefined;
    for (const viewer of viewers) {
      const since = viewer.stalledSince;
      if (since === undefined || now - since < ms) continue;
      if (longest === undefined || since < longest.stalledSince!) longest = viewer;
    }
    if (longest === undefined) return false;
    const seconds = ((now - longest.stalledSince!) / 1000).toFixed(1);
    longest.drop(`took nothing for ${seconds} s and gave way to a new one`);
    return true;
  }

  // Every viewer of a frame gets the same header bytes: make them once.
  let header: { seq: number; bytes: Uint8Array } = { seq: 0, bytes: new Uint8Array() };
  function partHeader(seq: number, frame: ReceivedFrame): Uint8Array {
    if (header.seq !== seq) {
      header = {
        seq,
        bytes: mjpegPartHeader({
          length: frame.data.length,
          timestamp: frame.localCaptureTime,
          frame: frame.frame,
          signal: frame.signal,
        }),
      };
    }
    return header.bytes;
  }

  function stream(url: URL): Response {
    const fps = viewerFps(url.searchParams.get("fps"));
    if (fps === "invalid") {
      return text(
        400,
        `fps must be a number from ${VIEWER_FPS.min} to ${VIEWER_FPS.max}, as in /stream.mjpg?fps=5\n`,
      );
    }
    if (counters.viewers >= maxViewers && !makeRoom(stallMs / 5)) {
      return text(503, `Too many viewers (${maxViewers}); try again later\n`);
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
    viewers.add(viewer);
    const done = () => {
      if (!open) return;
      open = false;
      clearTimeout(stall);
      viewers.delete(viewer);
      counters.viewers--;
      abort.abort();
    };
    const watch = () => {
      viewer.stalledSince = performance.now();
      stall = setTimeout(() => viewer.drop(`took nothing for ${stallMs / 1000} s`), stallMs);
    };
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

  function snapshot(): Response {
    const latest = frames.latest;
    if (latest === undefined) {
      return text(503, "No frame yet: waiting for the sender\n");
    }
    const frame = latest.value;
    return new Response(frame.data, {
      headers: {
        ...NO_STORE,
        "content-type": "image/jpeg",
        "x-timestamp": (frame.localCaptureTime / 1000).toFixed(6),
        "x-frame": String(frame.frame),
        ...(frame.signal === undefined ? {} : { "x-signal": frame.signal }),
      },
    });
  }

  function stats(): Response {
    const body = {
      ...options.stats(),
      preview: { ...counters },
      time: new Date(wallClock()).toISOString(),
    };
    return new Response(JSON.stringify(body), {
      headers: { ...NO_STORE, "content-type": "application/json" },
    });
  }

  const route = (url: URL): Response => {
    switch (url.pathname) {
      case "/":
        return new Response(PREVIEW_PAGE, {
          headers: { ...NO_STORE, "content-type": "text/html; charset=utf-8" },
        });
      case "/favicon.svg":
        return new Response(FAVICON_SVG, {
          headers: { ...NO_STORE, "content-type": "image/svg+xml" },
        });
      case "/stream.mjpg":
        return stream(url);
      case "/snapshot.jpg":
        return snapshot();
      case "/stats":
        return stats();
      case "/metrics":
        if (options.metrics === undefined) return text(404, "Not found\n");
        return new Response(options.metrics(), {
          headers: { ...NO_STORE, "content-type": METRICS_CONTENT_TYPE },
        });
      default:
        return text(404, "Not found\n");
    }
  };

  const handler = (request: Request): Response => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      const response = text(405, "Method not allowed\n");
      response.headers.set("allow", "GET, HEAD");
      return response;
    }
    const response = route(new URL(request.url));
    if (request.method === "GET") return response;
    // HEAD: the same headers, and no stream left open for a viewer who never reads it.
    response.body?.cancel();
    return new Response(null, { status: response.status, headers: response.headers });
  };
  Object.defineProperty(handler, "stats", { get: () => ({ ...counters }) });
  return handler as PreviewHandler;
}

/** `?fps=N` read: none, a rate in range, or not one. */
function viewerFps(value: string | null): number | undefined | "invalid" {
  if (value === null || value === "") return undefined;
  const fps = Number(value);
  return Number.isFinite(fps) && fps >= VIEWER_FPS.min && fps <= VIEWER_FPS.max ? fps : "invalid";
}

function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { ...NO_STORE, "content-type": "text/plain; charset=utf-8" },
  });
}
