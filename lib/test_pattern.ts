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
 * imagescript.
 *
 * @module
 */

import { Image, type JPEGQuality } from "imagescript";
import { wallClock } from "./clock.ts";
import { drawText, loadGlyphs } from "./draw_text.ts";
import type { Frame } from "./frame.ts";
import type { FrameSource } from "./frame_source.ts";
import { OverlayPainter, type OverlayPainterOptions } from "./overlay_painter.ts";
import { pause } from "./pause.ts";

const MIN_SIZE = 16;
const MAX_SIZE = 8192;
const MAX_FPS = 1000;
/** Time for the box to go across and back, in milliseconds. */
const SWEEP_PERIOD_MS = 4000;
const BARS_BOTTOM = 0.6;
const RAMP_BOTTOM = 0.72;
const BAR_COLORS = [
  0xc0c0c0ff,
  0xc0c000ff,
  0x00c0c0ff,
  0x00c000ff,
  0xc000c0ff,
  0xc00000ff,
  0x0000c0ff,
];
const BAND_COLOR = 0x202020ff;
const CLOCK_COLOR = 0xffffffff;
const LABEL_COLOR = 0xa0a0a0ff;
const CLOCK_CHARACTERS = "0123456789:.# ";

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
  #overlay: OverlayPainter | undefined;
  #painter: TestPatternPainter;
  #next: TestPatternPainter | undefined;
  #closed = false;
  #iterating = false;
  #abort = new AbortController();
  #busy: Promise<unknown> = Promise.resolve();
  #stats: TestPatternStats = { framesRendered: 0, framesSkipped: 0 };

  /**
   * Checks the options; nothing is drawn until {@linkcode TestPatternSource.frames} is iterated.
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
    this.#overlay = options.overlay === undefined
      ? undefined
      : new OverlayPainter({ ...options.overlay, fps: this.#fps });
    this.#painter = new TestPatternPainter({
      width,
      height,
      quality,
      label: this.#label(width, height),
      overlay: this.#overlay,
    });
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
    this.#next = new TestPatternPainter({
      width,
      height,
      quality,
      label: this.#label(width, height),
      overlay: this.#overlay,
    });
  }

  #label(width: number, height: number): string {
    return `udpcam test pattern ${width}x${height} @ ${this.#fps} fps`;
  }

  /** Counters since the source was made. */
  get stats(): TestPatternStats {
    return { ...this.#stats };
  }

  /**
   * Yields one frame per slot until {@linkcode TestPatternSource.close} is called.
   * The first frame comes once the background and the clock's glyphs are ready
   * (about 0.7 s the first time a size is used in a process); frame `n`'s clock
   * shows slot number `n`, so skipped slots show as gaps in the counter. Only
   * one iteration may run at a time.
   *
   * @returns The frames, each stamped with the wall time its drawing began.
   */
  async *frames(): AsyncGenerator<Frame> {
    if (this.#iterating) throw new Error("The test pattern is already being iterated");
    this.#iterating = true;
    try {
      await this.#track(this.#painter.prepare());
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
          await this.#track(painter.prepare());
          this.#painter = painter;
        }
        const captureTime = this.#now();
        const data = await this.#track(this.#painter.render(slot, captureTime));
        if (this.#closed) return;
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

  /** Ends the iteration, waking it if it is waiting for the next slot. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    await this.#busy;
  }

  /** Remembers drawing in progress, so that close() can wait for it to finish. */
  #track<T>(work: Promise<T>): Promise<T> {
    this.#busy = work.catch(() => {});
    return work;
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
  const overlay = options.overlay === undefined ? undefined : new OverlayPainter(options.overlay);
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

interface PainterOptions {
  width: number;
  height: number;
  quality: number;
  label: string;
  overlay?: OverlayPainter;
}

interface PainterState {
  /** What every frame starts from. */
  background: Image;
  /** The frame being drawn. */
  canvas: Image;
  /** The canvas's pixels, one 32-bit word each. */
  pixels: Uint32Array;
}

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Draws frames of one size onto one canvas; calls to render() must not overlap. */
class TestPatternPainter {
  #options: PainterOptions;
  #box: Rect;
  #clock: { x: number; y: number; scale: number };
  #state?: Promise<PainterState>;

  constructor(options: PainterOptions) {
    this.#options = options;
    const { width, height } = options;
    const barsBottom = Math.round(height * BARS_BOTTOM);
    const side = Math.max(2, Math.round(barsBottom * 0.4));
    this.#box = { x: 0, y: Math.round((barsBottom - side) / 2), width: side, height: side };
    // The clock line is 20 characters of about 0.6 em each.
    const scale = Math.max(4, Math.min(Math.round(height / 12), Math.floor(width / 14)));
    const margin = Math.round(height / 40);
    this.#clock = { x: margin, y: Math.round(height * RAMP_BOTTOM) + margin, scale };
  }

  /** Draws the background and rasterizes the clock's glyphs, once. */
  prepare(): Promise<PainterState> {
    this.#state ??= this.#draw();
    return this.#state;
  }

  async #draw(): Promise<PainterState> {
    const { width, height, label } = this.#options;
    const clockScale = this.#clock.scale;
    const labelScale = Math.max(4, Math.round(clockScale / 2));
    await loadGlyphs(CLOCK_CHARACTERS, { scale: clockScale });
    await this.#options.overlay?.prepare(height);
    const background = new Image(width, height);
    const pixels = pixelsOf(background);
    const barsBottom = Math.round(height * BARS_BOTTOM);
    const rampBottom = Math.round(height * RAMP_BOTTOM);
    for (let x = 0; x < width; x++) {
      const bar = BAR_COLORS[Math.floor((x * BAR_COLORS.length) / width)];
      const grey = Math.round((x * 255) / (width - 1));
      fillRect(pixels, width, { x, y: 0, width: 1, height: barsBottom }, bar);
      fillRect(
        pixels,
        width,
        { x, y: barsBottom, width: 1, height: rampBottom - barsBottom },
        grey * 0x01010100 + 0xff,
      );
    }
    fillRect(
      pixels,
      width,
      { x: 0, y: rampBottom, width, height: height - rampBottom },
      BAND_COLOR,
    );
    const labelY = this.#clock.y + Math.round(clockScale * 1.4);
    await drawText(background, label, {
      x: this.#clock.x,
      y: labelY,
      scale: labelScale,
      color: LABEL_COLOR,
    });
    const canvas = background.clone();
    return { background, canvas, pixels: pixelsOf(canvas) };
  }

  /** Draws and encodes one frame. */
  async render(frameIndex: number, time: number): Promise<Uint8Array> {
    if (!Number.isInteger(frameIndex) || frameIndex < 0) {
      throw new RangeError(`Frame index must be a non-negative integer, got ${frameIndex}`);
    }
    if (!Number.isFinite(time)) throw new RangeError(`Frame time must be finite, got ${time}`);
    const { background, canvas, pixels } = await this.prepare();
    const { width } = this.#options;
    canvas.bitmap.set(background.bitmap);
    const box = { ...this.#box, x: sweep(time, width - this.#box.width) };
    const inset = Math.max(1, Math.round(box.width / 4));
    fillRect(pixels, width, box, 0x000000ff);
    fillRect(pixels, width, {
      x: box.x + inset,
      y: box.y + inset,
      width: box.width - 2 * inset,
      height: box.height - 2 * inset,
    }, 0xffffffff);
    await drawText(canvas, clockText(frameIndex, time), { ...this.#clock, color: CLOCK_COLOR });
    await this.#options.overlay?.draw(canvas, time);
    return await canvas.encodeJPEG(this.#options.quality as JPEGQuality);
  }
}

/** Position along a track of `travel` pixels, across and back once per sweep period. */
function sweep(time: number, travel: number): number {
  const phase = (((time % SWEEP_PERIOD_MS) + SWEEP_PERIOD_MS) % SWEEP_PERIOD_MS) /
    SWEEP_PERIOD_MS;
  return Math.round((phase < 0.5 ? phase * 2 : 2 - phase * 2) * travel);
}

/** `HH:MM:SS.mmm #000123` in local time. */
function clockText(frameIndex: number, time: number): string {
  const date = new Date(time);
  const pad = (value: number, digits: number) => String(value).padStart(digits, "0");
  return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${
    pad(date.getMilliseconds(), 3)
  } #${pad(frameIndex, 6)}`;
}

/** The image's pixels as one 32-bit word each, in the platform's byte order. */
function pixelsOf(image: Image): Uint32Array {
  const bitmap = image.bitmap;
  return new Uint32Array(bitmap.buffer, bitmap.byteOffset, image.width * image.height);
}

/** Sets an opaque rectangle of `pixels` (rows `stride` wide) to `color` (`0xRRGGBBAA`). */
function fillRect(pixels: Uint32Array, stride: number, rect: Rect, color: number): void {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, color >>> 0);
  const value = new Uint32Array(bytes.buffer)[0];
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    const row = y * stride;
    pixels.fill(value, row + rect.x, row + rect.x + rect.width);
  }
}
