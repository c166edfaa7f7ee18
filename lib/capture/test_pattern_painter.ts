/**
 * Draws the built-in test pattern (see `test_pattern.ts`) with imagescript:
 * the background once per size, then each frame's box and clock from cached
 * glyphs, and any `--overlay` text, encoded as a JPEG. The sender runs it in a
 * worker (`test_pattern_worker.ts`), so that its event loop never waits on
 * pixels.
 *
 * @module
 */

import { Image, type JPEGQuality } from "imagescript";
import { drawText, loadGlyphs } from "../image/draw_text.ts";
import { OverlayPainter, type OverlayPainterOptions } from "../overlay/overlay_painter.ts";

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

/** Options for a {@linkcode TestPatternPainter}; all checked by the caller. */
export interface TestPatternPainterOptions {
  /** Width of the frames in pixels. */
  width: number;
  /** Height of the frames in pixels. */
  height: number;
  /** JPEG quality, from 1 to 100. */
  quality: number;
  /** The line under the clock. */
  label: string;
  /** Text drawn over every frame. @default undefined none */
  overlay?: OverlayPainterOptions;
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

/**
 * Draws frames of one size onto one canvas; calls to
 * {@linkcode TestPatternPainter.render} must not overlap.
 *
 * @example Usage
 * ```ts
 * import { TestPatternPainter } from "./test_pattern_painter.ts";
 *
 * const painter = new TestPatternPainter({ width: 640, height: 360, quality: 80, label: "test" });
 * const jpeg = await painter.render(0, Date.now());
 * ```
 */
export class TestPatternPainter {
  #options: TestPatternPainterOptions;
  #overlay: OverlayPainter | undefined;
  #box: Rect;
  #clock: { x: number; y: number; scale: number };
  #state?: Promise<PainterState>;

  /** Works out where things go; nothing is drawn until the first frame or {@linkcode TestPatternPainter.prepare}. */
  constructor(options: TestPatternPainterOptions) {
    this.#options = options;
    this.#overlay = options.overlay === undefined ? undefined : new OverlayPainter(options.overlay);
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
  async prepare(): Promise<void> {
    await this.#ready();
  }

  #ready(): Promise<PainterState> {
    this.#state ??= this.#draw();
    return this.#state;
  }

  async #draw(): Promise<PainterState> {
    const { width, height, label } = this.#options;
    const clockScale = this.#clock.scale;
    const labelScale = Math.max(4, Math.round(clockScale / 2));
    await loadGlyphs(CLOCK_CHARACTERS, { scale: clockScale });
    await this.#overlay?.prepare(height);
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

  /**
   * Draws and encodes one frame: the box where `time` puts it, the clock
   * showing `time` and `frameIndex`.
   *
   * @throws {RangeError} If `frameIndex` is not a non-negative integer or `time` is not finite.
   */
  async render(frameIndex: number, time: number): Promise<Uint8Array> {
    if (!Number.isInteger(frameIndex) || frameIndex < 0) {
      throw new RangeError(`Frame index must be a non-negative integer, got ${frameIndex}`);
    }
    if (!Number.isFinite(time)) throw new RangeError(`Frame time must be finite, got ${time}`);
    const { background, canvas, pixels } = await this.#ready();
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
    await this.#overlay?.draw(canvas, time);
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
