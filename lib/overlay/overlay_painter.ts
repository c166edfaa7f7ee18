/**
 * Draws `sender --overlay` text onto frames in this process, with
 * {@linkcode drawText}: for the built-in test pattern, whose frames are drawn
 * here anyway. Frames from ffmpeg get the same text from ffmpeg's drawtext
 * filter instead (see `drawtext_filter.ts`).
 *
 * @module
 */
import type { Image } from "imagescript";
import { drawText, loadGlyphs, measureText, type TextBox } from "../image/draw_text.ts";
import {
  OVERLAY_BOX_COLOR,
  OVERLAY_TEXT_COLOR,
  overlayFontSize,
  overlayOrigin,
  type OverlayPosition,
} from "./overlay_layout.ts";
import { expandOverlayText, type OverlayPart } from "./overlay_text.ts";

/** Options for {@linkcode OverlayPainter}. */
export interface OverlayPainterOptions {
  /** The text, as `parseOverlayText` reads it. */
  parts: readonly OverlayPart[];
  /** The corner it sits in. */
  position: OverlayPosition;
  /** The host name, for `{host}`. */
  host: string;
  /** Frames a second, for `{fps}`. */
  fps: number;
}

/** Every character a time or a date may hold. */
const CLOCK_CHARACTERS = "0123456789:-";

/**
 * Draws one overlay onto frames of any size: the font size follows each
 * frame's height (see `overlay_layout.ts`), the placeholders each frame's time.
 *
 * @example Usage
 * ```ts
 * import { Image } from "imagescript";
 * import { parseOverlayText } from "./overlay_text.ts";
 *
 * const painter = new OverlayPainter({
 *   parts: parseOverlayText("{host} {time}"),
 *   position: "top-left",
 *   host: "kitchen",
 *   fps: 30,
 * });
 * const frame = new Image(1280, 720);
 * await painter.draw(frame, Date.now());
 * ```
 */
export class OverlayPainter {
  #options: OverlayPainterOptions;
  #characters: string;

  /**
   * Keeps the options; nothing is rasterized until a frame is drawn or
   * {@linkcode OverlayPainter.prepare} is called.
   *
   * @param options The text, corner and the values of `{host}` and `{fps}`.
   */
  constructor(options: OverlayPainterOptions) {
    this.#options = { ...options, parts: [...options.parts] };
    const literal = expandOverlayText(this.#options.parts, { ...options, time: 0 });
    this.#characters = literal + CLOCK_CHARACTERS;
  }

  /**
   * Rasterizes every character the overlay can show at the size used for
   * frames `frameHeight` tall, so that drawing them later costs no font work.
   *
   * @param frameHeight The height of the frames to come, in pixels.
   */
  async prepare(frameHeight: number): Promise<void> {
    await loadGlyphs(this.#characters, { scale: overlayFontSize(frameHeight) });
  }

  /**
   * Draws the overlay onto a frame, blending it over what is there.
   *
   * @param image The frame; its bitmap is changed in place.
   * @param time The frame's time for `{time}` and `{date}`, in milliseconds since the Unix epoch.
   * @returns The box the overlay covers.
   */
  async draw(image: Image, time: number): Promise<TextBox> {
    const { parts, position, host, fps } = this.#options;
    const text = expandOverlayText(parts, { time, fps, host });
    const scale = overlayFontSize(image.height);
    const style = { scale, background: OVERLAY_BOX_COLOR };
    const { width, height } = await measureText(text, style);
    const { x, y } = overlayOrigin(position, image, { width, height });
    return await drawText(image, text, { ...style, x, y, color: OVERLAY_TEXT_COLOR });
  }
}
