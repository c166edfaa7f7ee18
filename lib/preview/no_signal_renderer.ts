import type { RenderNoSignalFrameOptions } from "./no_signal_frame.ts";
import { WorkerClient } from "../util/worker_client.ts";

/**
 * Draws no-signal frames as {@linkcode renderNoSignalFrame} does, in a worker
 * of its own, so that the receiver's event loop never waits on the font or
 * the JPEG encoder. The worker starts with the renderer, which holds up the
 * thread for tens of milliseconds: make one before anything that must not
 * wait. It keeps its glyphs from one frame to the next.
 *
 * @example Usage
 * ```ts
 * import { NoSignalRenderer } from "./no_signal_renderer.ts";
 *
 * const renderer = new NoSignalRenderer();
 * const jpeg = await renderer.render({ signal: "waiting", width: 640, height: 360 });
 * await renderer.close();
 * ```
 */
export class NoSignalRenderer {
  #worker = new WorkerClient<RenderNoSignalFrameOptions, Uint8Array<ArrayBuffer>>(() =>
    new Worker(new URL("./no_signal_worker.ts", import.meta.url).href, {
      type: "module",
      name: "udpcam no signal",
    })
  );

  /**
   * Draws one frame.
   *
   * @param options As for {@linkcode renderNoSignalFrame}.
   * @returns A baseline JPEG image.
   * @throws {RangeError} If the size or quality is out of range.
   * @throws {Error} If the renderer is closed before the frame is drawn.
   */
  render(options: RenderNoSignalFrameOptions): Promise<Uint8Array<ArrayBuffer>> {
    return this.#worker.call(options);
  }

  /**
   * Resolves once the worker has loaded: loading holds up this thread now and
   * then, so wait for it before anything that must not wait.
   */
  ready(): Promise<void> {
    return this.#worker.ready();
  }

  /**
   * Stops the worker once the frame it is encoding is done; a frame being
   * drawn fails at once. Safe to call twice.
   */
  close(): Promise<void> {
    return this.#worker.close();
  }
}
