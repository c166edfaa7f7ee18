/**
 * Text drawing on {@linkcode Image}s with the DejaVu Sans Mono font, for the
 * test pattern, "no signal" frames and overlays.
 *
 * Each character is rasterized once per size with imagescript's
 * `Image.renderText` and cached as a coverage mask; drawing a string then only
 * blends cached masks into the target bitmap, so text that changes every frame
 * (a clock) costs microseconds instead of a font parse per call.
 *
 * The font file is read from the `dejavu-fonts-ttf` npm package, which needs
 * read permission (a compiled executable serves it from its embedded files).
 *
 * @module
 */

// Puts the font package into the module graph, so that Deno installs it and
// `deno compile` embeds it; the font file itself is read at run time.
import "dejavu-fonts-ttf/package.json" with { type: "json" };
import { createRequire } from "node:module";
import { Image } from "imagescript";

const FONT_FILE = "dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf";
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

/** One character rasterized at one size: how much each pixel is covered, 0 to 255. */
interface Glyph {
  width: number;
  height: number;
  coverage: Uint8Array;
}

/** The metrics of the font at one size and the glyphs rasterized at it so far. */
interface FontSize {
  /** Horizontal distance from one character to the next, in pixels. */
  advance: number;
  /** Height of one line of text, in pixels. */
  lineHeight: number;
  /** `null` for a character that draws nothing, such as a space. */
  glyphs: Map<string, Promise<Glyph | null>>;
}

let fontBytes: Promise<Uint8Array> | undefined;
const fontSizes = new Map<number, Promise<FontSize>>();

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
  const batch = rasterizeAll(missing, scale, size.advance);
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

/**
 * The path of the DejaVu Sans Mono file; inside a compiled executable, a path
 * in its embedded files, which only this process can read.
 */
export function fontFilePath(): string {
  return createRequire(import.meta.url).resolve(FONT_FILE);
}

function loadFont(): Promise<Uint8Array> {
  if (fontBytes === undefined) {
    fontBytes = (async () => {
      installDenoCoreShim();
      return await Deno.readFile(fontFilePath());
    })();
    fontBytes.catch(() => fontBytes = undefined);
  }
  return fontBytes;
}

function loadFontSize(scale: number): Promise<FontSize> {
  let size = fontSizes.get(scale);
  if (size === undefined) {
    size = (async () => {
      const font = await loadFont();
      // The layout puts characters a whole number of pixels apart; a run of
      // eleven gives the advance without depending on the last glyph's width.
      const one = await Image.renderText(font, scale, "0");
      const eleven = await Image.renderText(font, scale, "0".repeat(11));
      return {
        advance: (eleven.width - one.width) / 10,
        lineHeight: one.height,
        glyphs: new Map(),
      };
    })();
    fontSizes.set(scale, size);
    size.catch(() => fontSizes.delete(scale));
  }
  return size;
}

/**
 * Rasterizes `chars` at one size in one call: laid out with a space between
 * each two, so that no glyph runs into the next, then cut at each character's
 * place. The layout puts character `k` at `round(k * advance)`, as
 * {@linkcode drawText} does, so each cut is the glyph as drawn alone.
 */
async function rasterizeAll(
  chars: string[],
  scale: number,
  advance: number,
): Promise<Array<Glyph | null>> {
  if (chars.every((char) => char.trim() === "")) return chars.map(() => null);
  const font = await loadFont();
  const line = await Image.renderText(font, scale, chars.join(" "), 0xffffffff);
  return chars.map((_, i) => {
    const left = Math.round(2 * i * advance);
    const width = Math.max(0, Math.min(line.width, Math.round((2 * i + 2) * advance)) - left);
    const height = line.height;
    const coverage = new Uint8Array(width * height);
    let inked = false;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const alpha = line.bitmap[(y * line.width + left + x) * 4 + 3];
        coverage[y * width + x] = alpha;
        inked ||= alpha !== 0;
      }
    }
    // A character with no outline (a space) draws nothing.
    return inked ? { width, height, coverage } : null;
  });
}

/**
 * imagescript's font code calls `Deno.core.encode` and `Deno.core.decode`
 * whenever a `Deno` global exists; Deno 2 no longer exposes `Deno.core`. This
 * supplies the two functions it uses, only where they are missing.
 */
function installDenoCoreShim(): void {
  type Core = { encode?: (text: string) => Uint8Array; decode?: (bytes: Uint8Array) => string };
  const deno = Deno as unknown as { core?: Core };
  if (deno.core?.encode !== undefined && deno.core?.decode !== undefined) return;
  const core: Core = deno.core ?? {};
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  core.encode ??= (text) => encoder.encode(text);
  core.decode ??= (bytes) => decoder.decode(bytes);
  if (deno.core === undefined) {
    Object.defineProperty(Deno, "core", { value: core, configurable: true, writable: true });
  }
}

/** Blends `color` (`0xRRGGBBAA`) over the image where the glyph covers it. */
function blendGlyph(image: Image, glyph: Glyph, left: number, top: number, color: number): void {
  const x0 = Math.max(0, -left);
  const y0 = Math.max(0, -top);
  const x1 = Math.min(glyph.width, image.width - left);
  const y1 = Math.min(glyph.height, image.height - top);
  const alpha = color & 0xff;
  for (let gy = y0; gy < y1; gy++) {
    let source = gy * glyph.width + x0;
    let target = ((top + gy) * image.width + left + x0) * 4;
    for (let gx = x0; gx < x1; gx++, source++, target += 4) {
      const cover = glyph.coverage[source];
      if (cover !== 0) blendPixel(image.bitmap, target, color, (cover * alpha) / 255);
    }
  }
}

/** Blends `color` (`0xRRGGBBAA`) over a rectangle of the image, clipped to it. */
function fillRect(image: Image, box: TextBox, color: number): void {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(image.width, box.x + box.width);
  const y1 = Math.min(image.height, box.y + box.height);
  const alpha = color & 0xff;
  for (let y = y0; y < y1; y++) {
    for (let target = (y * image.width + x0) * 4, x = x0; x < x1; x++, target += 4) {
      blendPixel(image.bitmap, target, color, alpha);
    }
  }
}

/** Composites `color` with opacity `alpha` (0 to 255) over one RGBA pixel. */
function blendPixel(bitmap: Uint8ClampedArray, offset: number, color: number, alpha: number): void {
  const a = alpha / 255;
  const below = (bitmap[offset + 3] / 255) * (1 - a);
  const out = a + below;
  if (out === 0) return;
  bitmap[offset] = (((color >>> 24) & 0xff) * a + bitmap[offset] * below) / out;
  bitmap[offset + 1] = (((color >>> 16) & 0xff) * a + bitmap[offset + 1] * below) / out;
  bitmap[offset + 2] = (((color >>> 8) & 0xff) * a + bitmap[offset + 2] * below) / out;
  bitmap[offset + 3] = out * 255;
}
