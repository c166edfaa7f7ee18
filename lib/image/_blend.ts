/**
 * Pixels blended over an image's RGBA bitmap: a glyph's coverage mask in one
 * colour, and a filled rectangle, each clipped to the image.
 *
 * @module
 */
import type { Image } from "imagescript";
import type { Glyph } from "./_glyphs.ts";
import type { TextBox } from "./draw_text.ts";

/** Blends `color` (`0xRRGGBBAA`) over the image where the glyph covers it. */
export function blendGlyph(
  image: Image,
  glyph: Glyph,
  left: number,
  top: number,
  color: number,
): void {
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
export function fillRect(image: Image, box: TextBox, color: number): void {
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
