import { jpegDimensions } from "../image/jpeg_dimensions.ts";
import { WorkerClient } from "../util/worker_client.ts";

/** The largest picture re-encoded: 8K. */
const MAX_PIXELS = 7680 * 4320;
import { nextFitRung } from "./jpeg_fit.ts";
import type { JpegFitRequest, JpegFitResponse } from "./jpeg_fit_worker.ts";

/**
 * Makes JPEGs fit a size by re-encoding them in a worker at a lower quality
 * or size (see `FIT_LADDER`), remembering the rung that worked so the next
 * frame starts there, and climbing back as frames come out small. Frames
 * already small enough pass as they are, with no work.
 *
 * The worker starts with the fitter, which holds up the thread that starts
 * it: start it before anything that must not wait, and wait for
 * {@linkcode JpegFitter.ready}.
 */
export class JpegFitter {
  /** The largest JPEG that fits. */
  readonly max: number;
  #client: WorkerClient<JpegFitRequest, JpegFitResponse>;
  #rung = 0;
  #refitted = 0;

  constructor(max: number) {
    this.max = max;
    this.#client = new WorkerClient(() =>
      new Worker(new URL("./jpeg_fit_worker.ts", import.meta.url).href, { type: "module" })
    );
  }

  /** Resolves once the worker has loaded. */
  ready(): Promise<void> {
    return this.#client.ready();
  }

  /** How many frames were re-encoded so far. */
  get refitted(): number {
    return this.#refitted;
  }

  /** The rung of `FIT_LADDER` the next frame too large starts at. */
  get rung(): number {
    return this.#rung;
  }

  /**
   * The JPEG as it is if it fits, else re-encoded smaller; `undefined` if no
   * rung makes it fit.
   *
   * @throws {Error} If the worker fails or is closed (or the JPEG does not decode).
   */
  async fit(jpeg: Uint8Array): Promise<Uint8Array | undefined> {
    if (jpeg.length <= this.max) return jpeg;
    // Decoded whole in the worker: a header claiming a huge picture is not.
    const size = jpegDimensions(jpeg);
    if (size === undefined || size.width * size.height > MAX_PIXELS) return undefined;
    const answer = await this.#client.call({
      jpeg: new Uint8Array(jpeg),
      from: this.#rung,
      max: this.max,
    });
    if (answer === undefined) return undefined;
    this.#refitted++;
    this.#rung = nextFitRung(answer.rung, answer.jpeg.length, this.max);
    return answer.jpeg;
  }

  /** Stops the worker once it has answered what it was given. */
  close(): Promise<void> {
    return this.#client.close();
  }
}
