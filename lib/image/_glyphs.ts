/**
 * The DejaVu Sans Mono font for `drawText`: its metrics at each size, and its
 * characters rasterized into coverage masks, each size and character once.
 *
 * @module
 */
import { Image } from "imagescript";
import { fontFilePath } from "./font_file.ts";

/** One character rasterized at one size: how much each pixel is covered, 0 to 255. */
export interface Glyph {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** A byte a pixel, row by row. */
  coverage: Uint8Array;
}

/** The metrics of the font at one size and the glyphs rasterized at it so far. */
export interface FontSize {
  /** Horizontal distance from one character to the next, in pixels. */
  advance: number;
  /** Height of one line of text, in pixels. */
  lineHeight: number;
  /** `null` for a character that draws nothing, such as a space. */
  glyphs: Map<string, Promise<Glyph | null>>;
}

let fontBytes: Promise<Uint8Array> | undefined;
const fontSizes = new Map<number, Promise<FontSize>>();

/** The font file's bytes, read once. */
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

/** The font's metrics at `scale`, measured once, with the glyphs rasterized at it so far. */
export function loadFontSize(scale: number): Promise<FontSize> {
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
export async function rasterizeGlyphs(
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
