/**
 * The frame the receiver shows in place of video: "NO SIGNAL" with the time
 * the signal was lost, "WAITING FOR SENDER" before any frame, or "REFUSED"
 * with the reason (the words are `no_signal_text.ts`'s), drawn with
 * imagescript and encoded as a JPEG.
 *
 * ```
 * +--------------------------------------------------+
 * |                                                  |
 * |                    NO SIGNAL                     |  title, sized to the widest title
 * |                                                  |
 * |        lost at 14:03:07 (2 min 5 s ago)          |  detail, bright
 * |               sender said goodbye                |  note, dim: why, and who
 * |              sender 192.0.2.7:5000               |
 * |                                                  |
 * +--------------------------------------------------+
 * ```
 *
 * Every size is a fraction of the frame's, and long lines wrap at spaces, so
 * the text stays inside the frame and legible from 320x180 to 1920x1080.
 *
 * @module
 */

import { Image, type JPEGQuality } from "imagescript";
import { drawText, measureText } from "../image/draw_text.ts";
import type { FrameSignal } from "../hub/frame.ts";
import { type NoSignalText, noSignalText, type NoSignalTextOptions } from "./no_signal_text.ts";

/** The largest frame drawn; a larger one is shrunk to fit, keeping its shape. */
const MAX_WIDTH = 1920;
const MAX_HEIGHT = 1080;
/** The smallest side drawn, in pixels. */
const MIN_SIDE = 16;
/** The smallest and largest font sizes used, in pixels. */
const MIN_SCALE = 6;
const MAX_SCALE = 512;
/** The title is sized so that the longest one fits the width. */
const WIDEST_TITLE = "WAITING FOR SENDER";

const BACKGROUND = 0x101317ff;
const TITLE_COLORS: Record<FrameSignal, number> = {
  lost: 0xff5c5cff,
  waiting: 0xffc04dff,
  refused: 0xff5c5cff,
};
const DETAIL_COLOR = 0xf0f0f0ff;
const NOTE_COLOR = 0x9aa0a6ff;

/** Options for {@linkcode renderNoSignalFrame}. */
export interface RenderNoSignalFrameOptions extends NoSignalTextOptions {
  /** Width of the last real frame, in pixels (a positive integer); see {@linkcode noSignalFrameSize}. @default 640 */
  width?: number;
  /** Height of the last real frame, in pixels (a positive integer); see {@linkcode noSignalFrameSize}. @default 360 */
  height?: number;
  /** JPEG quality, an integer from 1 to 100. @default 80 */
  quality?: number;
}

/** A frame size in pixels. */
export interface FrameSize {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * The size a no-signal frame is drawn at for a real frame of `width` x
 * `height`: the same, shrunk to fit 1920x1080 keeping its shape, and at
 * least 16 pixels each side.
 *
 * @param width The real frame's width, a positive integer.
 * @param height The real frame's height, a positive integer.
 * @returns The size to draw at.
 * @throws {RangeError} If a side is not a positive integer.
 */
export function noSignalFrameSize(width: number, height: number): FrameSize {
  for (const [name, value] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`No-signal frame ${name} must be a positive integer, got ${value}`);
    }
  }
  const shrink = Math.min(1, MAX_WIDTH / width, MAX_HEIGHT / height);
  return {
    width: Math.max(MIN_SIDE, Math.round(width * shrink)),
    height: Math.max(MIN_SIDE, Math.round(height * shrink)),
  };
}

/**
 * Draws a no-signal frame: a dark picture the size of the last real frame
 * (see {@linkcode noSignalFrameSize}) with the words of
 * {@linkcode noSignalText} centred on it.
 *
 * The first frame at a size rasterizes its characters (some hundreds of
 * milliseconds); later ones cost a fill, the text and a JPEG encode.
 *
 * @example Usage
 * ```ts
 * import { renderNoSignalFrame } from "./no_signal_frame.ts";
 *
 * const jpeg = await renderNoSignalFrame({
 *   width: 1280,
 *   height: 720,
 *   lostAt: Date.now() - 5000,
 *   reason: "sender said goodbye",
 * });
 * ```
 *
 * @param options What to say, and the size and quality of the frame.
 * @returns A baseline JPEG image.
 * @throws {RangeError} If the size or quality is out of range.
 */
export async function renderNoSignalFrame(
  options: RenderNoSignalFrameOptions = {},
): Promise<Uint8Array<ArrayBuffer>> {
  const { width, height } = noSignalFrameSize(options.width ?? 640, options.height ?? 360);
  const quality = options.quality ?? 80;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`JPEG quality must be an integer from 1 to 100, got ${quality}`);
  }
  const text = noSignalText(options);
  const blocks = await layOut(text, width, height);
  const image = new Image(width, height);
  image.fill(BACKGROUND);
  const colors = [TITLE_COLORS[options.signal ?? "lost"], DETAIL_COLOR, NOTE_COLOR];
  const total = blocks.reduce((sum, block) => sum + block.gapBefore + block.height, 0);
  let y = Math.max(0, Math.round((height - total) / 2));
  for (let i = 0; i < blocks.length; i++) {
    const { scale, lines, advance, lineHeight, gapBefore } = blocks[i];
    y += gapBefore;
    for (const line of lines) {
      const x = Math.max(0, Math.round((width - Array.from(line).length * advance) / 2));
      await drawText(image, line, { x, y, scale, color: colors[i] });
      y += lineHeight;
    }
  }
  return new Uint8Array(await image.encodeJPEG(quality as JPEGQuality));
}

/** One block of lines at one font size. */
interface Block {
  scale: number;
  lines: string[];
  advance: number;
  lineHeight: number;
  /** Space above the block, in pixels. */
  gapBefore: number;
  /** Height of the lines, in pixels. */
  height: number;
}

/**
 * Sizes and wraps the title, detail and note to fit inside the frame's
 * margins, shrinking the font until they do or it reaches its smallest.
 */
async function layOut(text: NoSignalText, width: number, height: number): Promise<Block[]> {
  const usableWidth = width - 2 * Math.max(1, Math.round(width * 0.05));
  const usableHeight = height - 2 * Math.max(1, Math.round(height * 0.06));
  let body = clampScale(Math.min(height / 16, width / 30));
  for (;;) {
    const { width: bodyAdvance } = await measureText("0", { scale: body });
    const titleFit = usableWidth / (Array.from(WIDEST_TITLE).length * (bodyAdvance / body));
    const title = clampScale(Math.max(body, Math.min(body * 2.6, titleFit, usableHeight / 4)));
    const blocks = [
      await block(text.title, title, 0),
      await block(text.detail.join("\n"), body, Math.round(body * 0.8)),
      await block(text.note.join("\n"), body, Math.round(body * 0.4)),
    ].filter((b) => b.lines.length > 0);
    const total = blocks.reduce((sum, b) => sum + b.gapBefore + b.height, 0);
    if (total <= usableHeight || body === MIN_SCALE) return blocks;
    body = clampScale(Math.min(body - 1, body * Math.sqrt(usableHeight / total)));
  }

  async function block(lines: string, scale: number, gapBefore: number): Promise<Block> {
    // Monospaced, each character a whole number of pixels apart: one measures a column.
    const { width: advance, height: lineHeight } = await measureText("0", { scale });
    const columns = Math.max(1, Math.floor(usableWidth / advance));
    const wrapped = lines === "" ? [] : lines.split("\n").flatMap((line) => wrap(line, columns));
    return {
      scale,
      lines: wrapped,
      advance,
      lineHeight,
      gapBefore,
      height: wrapped.length * lineHeight,
    };
  }
}

function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, Math.floor(scale)));
}

/** Splits a line at spaces into lines of at most `columns` characters; a longer word is cut. */
function wrap(line: string, columns: number): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of line.split(" ").filter((w) => w !== "")) {
    let rest = Array.from(word);
    const joined = current === "" ? rest.length : Array.from(current).length + 1 + rest.length;
    if (joined <= columns) {
      current = current === "" ? word : `${current} ${word}`;
      continue;
    }
    if (current !== "") lines.push(current);
    while (rest.length > columns) {
      lines.push(rest.slice(0, columns).join(""));
      rest = rest.slice(columns);
    }
    current = rest.join("");
  }
  if (current !== "") lines.push(current);
  return lines;
}
