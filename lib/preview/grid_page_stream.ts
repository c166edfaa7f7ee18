/// <reference lib="dom" />
/**
 * The grid page's one `grid.mjpg` response, read as fast as it comes (the
 * receiver skips a camera's older frames for a page that reads slowly, so a
 * page that reads fast never falls behind), and opened again when it ends or
 * fails.
 *
 * @module
 */
import { own } from "./page_token.ts";
import { boundaryOf, type Part, PartStream } from "./grid_page_part_stream.ts";

/** The wait before opening the response again after it ended, in ms... */
const RETRY_MS = 500;
/** ... doubled each time it fails with no frame, up to this. */
const RETRY_MAX_MS = 5000;

/** How to open the stream. */
export interface OpenOptions {
  /**
   * End the response (or the wait) there may be and open a new one at once.
   * @default {false}
   */
  now?: boolean;
}

/** The page's `grid.mjpg`: every frame of every camera, in one response. */
export class GridStream {
  #onPart: (part: Part) => void;
  #running: AbortController | undefined;
  #retryMs = RETRY_MS;

  /** @param onPart Called with each part as soon as it has come whole. */
  constructor(onPart: (part: Part) => void) {
    this.#onPart = onPart;
  }

  /** Opens the response, and keeps it open, unless it is already. */
  open(options: OpenOptions = {}): void {
    if (this.#running !== undefined && !options.now) return;
    this.close();
    this.#retryMs = RETRY_MS;
    const running = new AbortController();
    this.#running = running;
    this.#run(running.signal);
  }

  /** Ends the response, or the wait to open it again. */
  close(): void {
    this.#running?.abort();
    this.#running = undefined;
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let delivered = false;
      try {
        const response = await fetch(own("grid.mjpg"), { cache: "no-store", signal });
        const boundary = boundaryOf(response.headers.get("content-type"));
        if (!response.ok || response.body === null || boundary === undefined) {
          await response.body?.cancel();
          throw new Error("no multipart stream");
        }
        const parts = response.body.pipeThrough(new PartStream(boundary)).getReader();
        for (let read = await parts.read(); !read.done; read = await parts.read()) {
          delivered = true;
          this.#onPart(read.value);
        }
      } catch {
        // Ended, failed or aborted: opened again below, unless aborted.
      }
      if (signal.aborted) return;
      if (delivered) this.#retryMs = RETRY_MS;
      await sleep(this.#retryMs, signal);
      this.#retryMs = Math.min(2 * this.#retryMs, RETRY_MAX_MS);
    }
  }
}

/** Waits `ms`, or less if `signal` aborts; either way leaves no listener on `signal`. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const abort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal.addEventListener("abort", abort, { once: true });
  });
}
