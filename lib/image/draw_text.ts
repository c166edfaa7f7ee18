/**
 * Text drawing on {@linkcode Image}s with the DejaVu Sans Mono font, for the
 * test pattern, "no signal" frames and overlays.
 *
 * Each character is rasterized once per size with imagescript's
 * `Image.renderText` and cached as a coverage mask (`_glyphs.ts`); drawing a
 * string then only blends cached masks into the target bitmap (`_blend.ts`),
 * so text that changes every frame (a clock) costs microseconds instead of a
 * font parse per call.
 *
 * The font file is read from the `dejavu-fonts-ttf` npm package
 * (`font_file.ts`), which needs read permission (a compiled executable serves
 * it from its embedded files).
 *
 * @module
 */

import type { Image } from "imagescript";
import { blendGlyph, fillRect } from "./_blend.ts";
import { loadFontSize, rasterizeGlyphs } from "./_glyphs.ts";

const MIN_SCALE = 4;
const MAX_SCALE = 512;

/** Options for {@linkcode drawText}. */
export interface DrawTextOptions {
  /** Left edge of the drawn box (the background box if any, else the text), in pixels. @default 0 */
  x?: number;
  /** Top edge of the drawn box (the background box if any, else the text), in pixels. @default 0 */
  y?: number;
  /** Font size in pixels (an integer from 4 to 512); a line is about 1.2 times as tall. @default 16 */
  scale?: number;
  /** Colour of the text as `0xRRGGBBAA`. @default 0xffffffff */
  color?: number;
  /** Colour of a box filled behind the text as `0xRRGGBBAA`, or `undefined` for none. @default undefined */
  background?: number;
  /** Space between the text and the edge of its background box, in pixels; ignored without a background. @default Math.round(scale / 4) */
  padding?: number;
}

/** Options for {@linkcode measureText}. */
export type MeasureTextOptions = Pick<DrawTextOptions, "scale" | "background" | "padding">;

/** Where a piece of text was, or would be, drawn. */
export interface TextBox {
  /** Left edge in pixels. */
  x: number;
  /** Top edge in pixels. */
  y: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * Draws text onto an image, blending it over what is there, and returns the
 * box it covered (before clipping to the image).
 *
 * Lines are split at `\n`. Every character takes the same width (the font is
 * monospaced); characters the font lacks draw as a box or nothing.
 *
 * @example Usage
 * ```ts
 * import { Image } from "imagescript";
 * import { drawText } from "./draw_text.ts";
 *
 * const image = new Image(320, 240);
 * await drawText(image, "NO SIGNAL", { x: 10, y: 10, scale: 24, background: 0x000000c0 });
 * ```
 *
 * @param image The image to draw on; its bitmap is changed in place.
 * @param text The text to draw.
 * @param options Where and how to draw it.
 * @returns The box covered by the text and its background.
 */
export async function drawText(
  image: Image,
  text: string,
  options: DrawTextOptions = {},
): Promise<TextBox> {
  const { x = 0, y = 0, color = 0xffffffff } = options;
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    throw new RangeError(`Text position must be finite, got (${x}, ${y})`);
  }
  const scale = resolveScale(options.scale);
  const size = await loadFontSize(scale);
  await loadGlyphs(text, { scale });
  const box = await measureText(text, options);
  box.x = Math.round(x);
  box.y = Math.round(y);
  if (options.background !== undefined) fillRect(image, box, options.background);
  const inset = options.background === undefined ? 0 : resolvePadding(options);
  const lines = text.split("\n");
  for (let row = 0; row < lines.length; row++) {
    const top = box.y + inset + row * size.lineHeight;
    const chars = Array.from(lines[row]);
    for (let column = 0; column < chars.length; column++) {
      const glyph = await size.glyphs.get(chars[column])!;
      if (glyph === null) continue;
      blendGlyph(image, glyph, box.x + inset + Math.round(column * size.advance), top, color);
    }
  }
  return box;
}

/**
 * Returns the size of the box {@linkcode drawText} would cover for this text,
 * at `x` = `y` = 0.
 *
 * @param text The text to measure.
 * @param options The size of the font and of the background box.
 * @returns The box the text would cover.
 */
export async function measureText(
  text: string,
  options: MeasureTextOptions = {},
): Promise<TextBox> {
  const size = await loadFontSize(resolveScale(options.scale));
  const inset = options.background === undefined ? 0 : resolvePadding(options);
  const lines = text.split("\n");
  const columns = Math.max(...lines.map((line) => Array.from(line).length));
  return {
    x: 0,
    y: 0,
    width: Math.ceil(columns * size.advance) + 2 * inset,
    height: lines.length * size.lineHeight + 2 * inset,
  };
}

/**
 * Rasterizes and caches every character of `text` at one size, so that later
 * {@linkcode drawText} calls with those characters do no font work at all.
 *
 * Each call lays the characters it lacks out in one line and rasterizes it
 * once: imagescript parses the whole font on every call, about 40 ms, so one
 * call for 24 characters costs what one character would alone. Call this
 * before a time-critical loop with every character the loop may draw.
 *
 * @param text The characters to prepare; repeats and line breaks are ignored.
 * @param options The font size to prepare them at.
 */
export async function loadGlyphs(
  text: string,
  options: Pick<DrawTextOptions, "scale"> = {},
): Promise<void> {
  const scale = resolveScale(options.scale);
  const size = await loadFontSize(scale);
  const missing = [...new Set(text.replaceAll("\n", ""))].filter((char) => !size.glyphs.has(char));
  if (missing.length === 0) return;
  const batch = rasterizeGlyphs(missing, scale, size.advance);
  missing.forEach((char, i) => {
    const glyph = batch.then((glyphs) => glyphs[i]);
    size.glyphs.set(char, glyph);
    glyph.catch(() => size.glyphs.delete(char));
  });
  await batch;
}

function resolveScale(scale = 16): number {
  if (!Number.isInteger(scale) || scale < MIN_SCALE || scale > MAX_SCALE) {
    throw new RangeError(
      `Text scale must be an integer from ${MIN_SCALE} to ${MAX_SCALE}, got ${scale}`,
    );
  }
  return scale;
}

function resolvePadding(options: MeasureTextOptions): number {
  const padding = options.padding ?? Math.round(resolveScale(options.scale) / 4);
  if (!Number.isInteger(padding) || padding < 0) {
    throw new RangeError(`Text padding must be a non-negative integer, got ${padding}`);
  }
  return padding;
}
