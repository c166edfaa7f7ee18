import { wallClock } from "../util/clock.ts";
import { FAVICON_SVG } from "./favicon.ts";
import type { LatestValue } from "../hub/latest_value.ts";
import { MjpegViewers } from "./_mjpeg_viewers.ts";
import { PREVIEW_PAGE } from "./preview_page.ts";
import type { ReceivedFrame } from "../hub/frame.ts";
import { textResponse } from "./_text_response.ts";

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
  const viewers = new MjpegViewers({
    frames,
    maxViewers: options.maxViewers ?? 64,
    stallMs: options.stallMs ?? 10_000,
  });

  function snapshot(): Response {
    const latest = frames.latest;
    if (latest === undefined) {
      return textResponse(503, "No frame yet: waiting for the sender\n");
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
      preview: viewers.stats,
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
        return viewers.serve(url);
      case "/snapshot.jpg":
        return snapshot();
      case "/stats":
        return stats();
      case "/metrics":
        if (options.metrics === undefined) return textResponse(404, "Not found\n");
        return new Response(options.metrics(), {
          headers: { ...NO_STORE, "content-type": METRICS_CONTENT_TYPE },
        });
      default:
        return textResponse(404, "Not found\n");
    }
  };

  const handler = (request: Request): Response => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      const response = textResponse(405, "Method not allowed\n");
      response.headers.set("allow", "GET, HEAD");
      return response;
    }
    const response = route(new URL(request.url));
    if (request.method === "GET") return response;
    // HEAD: the same headers, and no stream left open for a viewer who never reads it.
    response.body?.cancel();
    return new Response(null, { status: response.status, headers: response.headers });
  };
  Object.defineProperty(handler, "stats", { get: () => viewers.stats });
  return handler as PreviewHandler;
}
