/**
 * The built-in moving test pattern: a frame source that needs no camera and
 * no ffmpeg.
 *
 * ```
 * +--------------------------------------------------+  0
 * |  colour bars (75 %)     [box sweeping left/right] |
 * |                                                   |
 * +--------------------------------------------------+  60 %
 * |  grey ramp, black to white                        |
 * +--------------------------------------------------+  72 %
 * |  HH:MM:SS.mmm #000123   (wall clock, frame slot)  |
 * |  udpcam test pattern 640x360 @ 30 fps             |
 * +--------------------------------------------------+  100 %
 * ```
 *
 * Everything but the box and the clock is drawn once; a frame copies that
 * background, draws the box and the clock from cached glyphs, then any
 * `--overlay` text over the whole, and encodes the result as a JPEG with
 * imagescript (see `test_pattern_painter.ts`). {@linkcode TestPatternSource}
 * does all of that in a worker.
 *
 * @module
 */

import { wallClock } from "../util/clock.ts";
import type { Frame } from "../hub/frame.ts";
import type { FrameSource } from "./frame_source.ts";
import type { OverlayPainterOptions } from "../overlay/overlay_painter.ts";
import { pause } from "../util/pause.ts";
import { TestPatternPainter, type TestPatternPainterOptions } from "./test_pattern_painter.ts";
import type { TestPatternRequest, TestPatternResponse } from "./test_pattern_worker.ts";
import { WorkerClient } from "../util/worker_client.ts";

const MIN_SIZE = 16;
const MAX_SIZE = 8192;
const MAX_FPS = 1000;

/** Options for {@linkcode renderTestPattern}. */
export interface RenderTestPatternOptions {
  /** Width of the frame in pixels, an integer from 16 to 8192. @default 640 */
  width?: number;
  /** Height of the frame in pixels, an integer from 16 to 8192. @default 360 */
  height?: number;
  /** JPEG quality, an integer from 1 to 100. @default 80 */
  quality?: number;
  /**
   * Text drawn over every frame (`sender --overlay`), its `{time}` and `{date}`
   * the frame's time.
   * @default undefined none
   */
  overlay?: OverlayPainterOptions;
}

/** Text drawn over the test pattern; `{fps}` shows the source's own rate. */
export type TestPatternOverlay = Omit<OverlayPainterOptions, "fps">;

/** Options for {@linkcode TestPatternSource}. */
export interface TestPatternSourceOptions extends Omit<RenderTestPatternOptions, "overlay"> {
  /** Frames per second, a number above 0 and at most 1000. @default 30 */
  fps?: number;
  /** Text drawn over every frame, as for {@linkcode renderTestPattern}. @default undefined none */
  overlay?: TestPatternOverlay;
  /**
   * The wall clock, in milliseconds since the Unix epoch, for the clock drawn
   * in each frame and its `captureTime`; pacing always uses the monotonic clock.
   * @default {wallClock}
   */
  now?: () => number;
}

/** Counters of a {@linkcode TestPatternSource}. */
export interface TestPatternStats {
  /** Frames rendered and yielded. */
  framesRendered: number;
  /** Frame slots passed over because rendering or the consumer fell behind. */
  framesSkipped: number;
}

/**
 * A {@linkcode FrameSource} that renders the test pattern in-process, paced
 * by a timer against its start time: frame slot `n` is due `n / fps` seconds
 * after the first. When rendering or the consumer falls behind, the source
 * jumps to the newest due slot instead of catching up, and counts the slots it
 * passed over in {@linkcode TestPatternSource.stats}.
 *
 * @example Usage
 * ```ts
 * import { TestPatternSource } from "./test_pattern.ts";
 *
 * const source = new TestPatternSource({ width: 640, height: 360, fps: 30 });
 * for await (const frame of source.frames()) {
 *   console.log(frame.data.length, frame.captureTime);
 *   break;
 * }
 * await source.close();
 * ```
 */
export class TestPatternSource implements FrameSource {
  #fps: number;
  #now: () => number;
  #overlay: OverlayPainterOptions | undefined;
  #painter: TestPatternPainterOptions;
  #next: TestPatternPainterOptions | undefined;
  #worker: WorkerClient<TestPatternRequest, TestPatternResponse>;
  #closed = false;
  #iterating = false;
  #abort = new AbortController();
  #stats: TestPatternStats = { framesRendered: 0, framesSkipped: 0 };

  /**
   * Checks the options and starts the worker that draws the frames, which
   * holds up this thread for tens of milliseconds: make the source before
   * anything that must not wait. Nothing is drawn until
   * {@linkcode TestPatternSource.frames} is iterated; call
   * {@linkcode TestPatternSource.close} to stop the worker.
   *
   * @param options The size, rate, quality and clock of the pattern.
   * @throws {RangeError} If an option is out of range.
   */
  constructor(options: TestPatternSourceOptions = {}) {
    const { width, height, quality } = resolveRenderOptions(options);
    this.#fps = options.fps ?? 30;
    if (!Number.isFinite(this.#fps) || this.#fps <= 0 || this.#fps > MAX_FPS) {
      throw new RangeError(
        `Test pattern fps must be above 0 and at most ${MAX_FPS}, got ${options.fps}`,
      );
    }
    this.#now = options.now ?? wallClock;
    this.#overlay = options.overlay === undefined ? undefined : {
      ...options.overlay,
      parts: [...options.overlay.parts],
      fps: this.#fps,
    };
    this.#painter = this.#painterOptions(width, height, quality);
    this.#worker = new WorkerClient<TestPatternRequest, TestPatternResponse>(() =>
      new Worker(new URL("./test_pattern_worker.ts", import.meta.url).href, {
        type: "module",
        name: "udpcam test pattern",
      })
    );
  }

  /**
   * Draws later frames at another size or quality (the stream adapting to its
   * links), with the same overlay; takes effect once the new size's background
   * is ready.
   *
   * @throws {RangeError} If an option is out of range.
   */
  configure(options: Omit<RenderTestPatternOptions, "overlay">): void {
    const { width, height, quality } = resolveRenderOptions(options);
    this.#next = this.#painterOptions(width, height, quality);
  }

  #painterOptions(width: number, height: number, quality: number): TestPatternPainterOptions {
    const label = `udpcam test pattern ${width}x${height} @ ${this.#fps} fps`;
    return { width, height, quality, label, overlay: this.#overlay };
  }

  /**
   * Resolves once the worker has loaded: loading holds up this thread now and
   * then, so wait for it before anything that must not wait.
   */
  ready(): Promise<void> {
    return this.#worker.ready();
  }

  /** Counters since the source was made. */
  get stats(): TestPatternStats {
    return { ...this.#stats };
  }

  /**
   * Yields one frame per slot until {@linkcode TestPatternSource.close} is called.
   * Frames are drawn in the source's worker, so that this thread never waits
   * on pixels. The first frame comes once the worker has loaded and drawn the
   * background and the clock's glyphs (about a second); frame `n`'s clock shows slot number `n`,
   * so skipped slots show as gaps in the counter. Only one iteration may run
   * at a time.
   *
   * @returns The frames, each stamped with the wall time its drawing began.
   */
  async *frames(): AsyncGenerator<Frame> {
    if (this.#iterating) throw new Error("The test pattern is already being iterated");
    this.#iterating = true;
    const worker = this.#worker;
    try {
      if (this.#closed) return;
      await this.#ask(worker, { type: "prepare", painter: this.#painter });
      if (this.#closed) return;
      const interval = 1000 / this.#fps;
      const start = performance.now();
      let slot = 0;
      while (!this.#closed) {
        const wait = start + slot * interval - performance.now();
        if (wait > 0 && !(await pause(wait, this.#abort.signal))) return;
        const painter = this.#next;
        if (painter !== undefined) {
          this.#next = undefined;
          await this.#ask(worker, { type: "prepare", painter });
          if (this.#closed) return;
          this.#painter = painter;
        }
        const captureTime = this.#now();
        const data = await this.#ask(worker, {
          type: "render",
          frameIndex: slot,
          time: captureTime,
        });
        if (this.#closed || data === undefined) return;
        this.#stats.framesRendered++;
        yield { data, captureTime };
        const due = Math.floor((performance.now() - start) / interval);
        const next = Math.max(slot + 1, due);
        this.#stats.framesSkipped += next - slot - 1;
        slot = next;
      }
    } finally {
      this.#iterating = false;
    }
  }

  /**
   * Ends the iteration, waking it if it is waiting for the next slot, and
   * stops the worker once the frame it is encoding is done, dropping that
   * frame. Safe to call twice.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    return this.#worker.close();
  }

  /** Asks the worker; `undefined` if the source was closed meanwhile. */
  async #ask(
    worker: WorkerClient<TestPatternRequest, TestPatternResponse>,
    request: TestPatternRequest,
  ): Promise<TestPatternResponse> {
    try {
      return await worker.call(request);
    } catch (error) {
      if (this.#closed) return undefined;
      throw error;
    }
  }
}

/**
 * Renders one frame of the test pattern as a JPEG. The box's position follows
 * `time`; the clock shows `time` as local wall-clock time and `frameIndex` as
 * the frame counter.
 *
 * Each call draws the background anew; {@linkcode TestPatternSource} keeps it
 * between frames.
 *
 * @param frameIndex The frame counter to show, a non-negative integer.
 * @param time The wall time to show, in milliseconds since the Unix epoch.
 * @param options The size and quality of the frame.
 * @returns A baseline JPEG image.
 * @throws {RangeError} If an argument is out of range.
 */
export async function renderTestPattern(
  frameIndex: number,
  time: number,
  options: RenderTestPatternOptions = {},
): Promise<Uint8Array> {
  const { width, height, quality } = resolveRenderOptions(options);
  const label = `udpcam test pattern ${width}x${height}`;
  const { overlay } = options;
  return await new TestPatternPainter({ width, height, quality, label, overlay }).render(
    frameIndex,
    time,
  );
}

function resolveRenderOptions(
  options: Omit<RenderTestPatternOptions, "overlay">,
): Required<Omit<RenderTestPatternOptions, "overlay">> {
  const { width = 640, height = 360, quality = 80 } = options;
  for (const [name, value] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(value) || value < MIN_SIZE || value > MAX_SIZE) {
      throw new RangeError(
        `Test pattern ${name} must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${value}`,
      );
    }
  }
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`JPEG quality must be an integer from 1 to 100, got ${quality}`);
  }
  return { width, height, quality };
}
