import type { ReceivedFrame } from "../hub/frame.ts";
import { mjpegBoundary, mjpegPartEnd, mjpegPartHeader, mjpegPreamble } from "./mjpeg.ts";
import type { StationCamera, StationCameras } from "./station_cameras.ts";
import { textResponse } from "./_text_response.ts";

/** Counters of the grid's viewers, all cameras together. */
export interface GridStats {
  /** Viewers of `grid.mjpg` now. */
  viewers: number;
  /** Frames written to them. */
  framesServed: number;
  /** Frames a slow viewer skipped because a newer one of the same camera was ready. */
  framesSkipped: number;
  /** Viewers dropped for taking nothing for `stallMs`. */
  viewersDropped: number;
}

/** Options for {@linkcode GridViewers}. */
export interface GridViewersOptions {
  /** The station's cameras. */
  cameras: StationCameras;
  /** The most viewers at once. */
  maxViewers: number;
  /** How long a viewer may leave what it was given untaken, in ms, before it is dropped. */
  stallMs: number;
}

/**
 * The viewers of `grid.mjpg`: one response that carries the frames of every
 * camera, each part with `X-Camera`. A browser holds at most six HTTP/1.1
 * connections to a host, so a page with an MJPEG `<img>` a camera stalls at
 * the seventh; this needs one, whatever the count. (HTTP/2 would lift the
 * limit too, but browsers speak it only over TLS, and the preview has no
 * certificate a browser would take.)
 *
 * Each camera's newest frame goes out, older ones are skipped, so a slow
 * viewer holds at most one frame and no camera waits on another: cameras
 * with a frame ready take turns. A camera that joins is in the stream at
 * once; one that leaves is forgotten with its state.
 */
export class GridViewers {
  #cameras: StationCameras;
  #maxViewers: number;
  #stallMs: number;
  #counters: GridStats = { viewers: 0, framesServed: 0, framesSkipped: 0, viewersDropped: 0 };

  /** Serves no one until {@linkcode GridViewers.serve} is called. */
  constructor(options: GridViewersOptions) {
    this.#cameras = options.cameras;
    this.#maxViewers = options.maxViewers;
    this.#stallMs = options.stallMs;
  }

  /** The counters now, a copy. */
  get stats(): GridStats {
    return { ...this.#counters };
  }

  /** The response to `GET grid.mjpg`: the stream, or why not. */
  serve(): Response {
    const counters = this.#counters;
    const cameras = this.#cameras;
    const stallMs = this.#stallMs;
    if (counters.viewers >= this.#maxViewers) {
      return textResponse(503, `Too many grid viewers (${this.#maxViewers}); try again later\n`);
    }
    counters.viewers++;
    // The wait in progress, if any: ended when its race is won, or when the viewer goes.
    let waiting: AbortController | undefined;
    const boundary = mjpegBoundary();
    const partEnd = mjpegPartEnd(boundary);
    // The last frame sent of each camera; a camera gone is forgotten with it.
    const sent = new WeakMap<StationCamera, number>();
    let turn = 0;
    let open = true;
    let stall: ReturnType<typeof setTimeout> | undefined;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const done = () => {
      if (!open) return;
      open = false;
      clearTimeout(stall);
      counters.viewers--;
      waiting?.abort();
    };
    const watch = () => {
      stall = setTimeout(() => {
        counters.viewersDropped++;
        done();
        controller.error(new Error(`The grid viewer took nothing for ${stallMs / 1000} s`));
      }, stallMs);
    };
    /** The next camera in turn with a frame not yet sent, and that frame. */
    const ready = (list: readonly StationCamera[]) => {
      for (let i = 0; i < list.length; i++) {
        const camera = list[(turn + i) % list.length];
        const latest = camera.frames.latest;
        const last = sent.get(camera) ?? 0;
        if (latest === undefined || latest.seq <= last) continue;
        turn = (turn + i + 1) % list.length;
        if (last > 0) counters.framesSkipped += latest.seq - last - 1;
        sent.set(camera, latest.seq);
        return { camera, frame: latest.value };
      }
      return undefined;
    };
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
        controller.enqueue(mjpegPreamble(boundary));
        watch();
      },
      async pull(controller) {
        clearTimeout(stall);
        while (open) {
          const list = cameras.list;
          const next = ready(list);
          if (next !== undefined) {
            controller.enqueue(partHeader(next.camera.name, next.frame));
            controller.enqueue(next.frame.data);
            controller.enqueue(partEnd);
            counters.framesServed++;
            watch();
            return;
          }
          if (cameras.closed) {
            controller.close();
            done();
            return;
          }
          // Until any camera has a new frame, or cameras come or go; the
          // losers' waits are then ended, so none is left on a camera.
          waiting = new AbortController();
          const { signal } = waiting;
          await Promise.race([
            cameras.changes.next(cameras.changes.latest?.seq ?? 0, signal),
            ...list.filter((camera) => !camera.frames.closed)
              .map((camera) => camera.frames.next(sent.get(camera) ?? 0, signal)),
          ]);
          waiting.abort();
          waiting = undefined;
        }
      },
      cancel: done,
    }, { highWaterMark: 0 });
    return new Response(body, {
      headers: {
        "content-type": `multipart/mixed; boundary=${boundary}`,
        "cache-control": "no-store, no-cache, must-revalidate",
        "pragma": "no-cache",
      },
    });
  }
}

function partHeader(camera: string, frame: ReceivedFrame): Uint8Array {
  return mjpegPartHeader({
    length: frame.data.length,
    timestamp: frame.localCaptureTime,
    frame: frame.frame,
    signal: frame.signal,
    camera,
  });
}
