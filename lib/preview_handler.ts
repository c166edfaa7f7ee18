import { wallClock } from "./clock.ts";
import type { LatestValue } from "./latest_value.ts";
import { MJPEG_CONTENT_TYPE, MJPEG_PART_END, MJPEG_PREAMBLE, mjpegPartHeader } from "./mjpeg.ts";
import { PREVIEW_PAGE } from "./preview_page.ts";
import type { ReceivedFrame } from "./frame.ts";

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
}

/** Counters of the preview's viewers. */
export interface PreviewStats {
  /** Viewers of `/stream.mjpg` now. */
  viewers: number;
  /** Frames written to viewers, all viewers together. */
  framesServed: number;
  /** Frames a slow viewer skipped because a newer one was ready. */
  framesSkipped: number;
}

/** An HTTP handler with its viewer counters. */
export interface PreviewHandler {
  /** Serves one request. */
  (request: Request): Response;
  /** The viewer counters now. */
  readonly stats: PreviewStats;
}

const NO_STORE = { "cache-control": "no-store" };

/**
 * The receiver's HTTP preview as a plain `Request => Response` function:
 * `/` (the page), `/stream.mjpg` (one whole JPEG a part; a slow viewer gets
 * the newest frame and skips the rest, so it holds at most one frame),
 * `/snapshot.jpg` and `/stats`.
 */
export function createPreviewHandler(options: PreviewOptions): PreviewHandler {
  const { frames } = options;
  const maxViewers = options.maxViewers ?? 64;
  const counters: PreviewStats = { viewers: 0, framesServed: 0, framesSkipped: 0 };

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
        }),
      };
    }
    return header.bytes;
  }

  function stream(): Response {
    if (counters.viewers >= maxViewers) {
      return text(503, `Too many viewers (${maxViewers}); try again later\n`);
    }
    counters.viewers++;
    const abort = new AbortController();
    let seq = 0;
    let open = true;
    const done = () => {
      if (!open) return;
      open = false;
      counters.viewers--;
      abort.abort();
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(MJPEG_PREAMBLE);
      },
      async pull(controller) {
        const next = await frames.next(seq, abort.signal);
        if (next === undefined) {
          if (open) controller.close();
          done();
          return;
        }
        if (seq > 0) counters.framesSkipped += next.seq - seq - 1;
        seq = next.seq;
        const frame = next.value;
        controller.enqueue(partHeader(next.seq, frame));
        controller.enqueue(frame.data);
        controller.enqueue(MJPEG_PART_END);
        counters.framesServed++;
      },
      cancel: done,
    }, { highWaterMark: 0 });
    return new Response(body, {
      headers: {
        "content-type": MJPEG_CONTENT_TYPE,
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

  const route = (pathname: string): Response => {
    switch (pathname) {
      case "/":
        return new Response(PREVIEW_PAGE, {
          headers: { ...NO_STORE, "content-type": "text/html; charset=utf-8" },
        });
      case "/stream.mjpg":
        return stream();
      case "/snapshot.jpg":
        return snapshot();
      case "/stats":
        return stats();
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
    const response = route(new URL(request.url).pathname);
    if (request.method === "GET") return response;
    // HEAD: the same headers, and no stream left open for a viewer who never reads it.
    response.body?.cancel();
    return new Response(null, { status: response.status, headers: response.headers });
  };
  Object.defineProperty(handler, "stats", { get: () => ({ ...counters }) });
  return handler as PreviewHandler;
}

function text(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { ...NO_STORE, "content-type": "text/plain; charset=utf-8" },
  });
}
