/**
 * `sender --overlay` for frames from ffmpeg: ffmpeg's `drawtext` filter, run
 * in the same ffmpeg that scales and encodes, so that decoded frames never
 * leave ffmpeg. Drawing in this process instead means ffmpeg sending raw
 * frames here and encoding them here or in a second ffmpeg: the bench's
 * `overlay` part measures both routes, and at 720p and 30 fps drawtext costs
 * a third to a half of the CPU.
 *
 * Text written into a filter graph is read three times, so it is escaped
 * three times, innermost first:
 *
 * 1. drawtext expands `%{...}` and `\x` in its text: `\` and `%` get a `\`;
 * 2. the filter reads `key=value:key=value`: a value with `:`, `\`, `'` or
 *    spaces at its ends goes in `'...'`, a `'` inside as `'\''`;
 * 3. the graph reads `filter=args,filter=args`: `\`, `'`, `[`, `]`, `,` and
 *    `;` in the arguments get a `\`.
 *
 * @module
 */

import { fontFilePath } from "../image/font_file.ts";
import {
  OVERLAY_BOX_COLOR,
  OVERLAY_HEIGHT_DIVISOR,
  OVERLAY_MARGIN_DIVISOR,
  OVERLAY_MIN_FONT_SIZE,
  OVERLAY_TEXT_COLOR,
  type OverlayPosition,
} from "./overlay_layout.ts";
import type { OverlayPart } from "./overlay_text.ts";

/**
 * The font drawtext uses: a font file it opens itself, or a family that
 * fontconfig finds among the system's fonts.
 */
export type DrawtextFont = { file: string } | { family: string };

/** Options for {@linkcode drawtextFilter}. */
export interface DrawtextFilterOptions {
  /** The text, as `parseOverlayText` reads it. */
  parts: readonly OverlayPart[];
  /** The corner it sits in. */
  position: OverlayPosition;
  /** The host name, for `{host}`. */
  host: string;
  /** The font, as {@linkcode drawtextFont} finds it. */
  font: DrawtextFont;
}

/** The family fontconfig is asked for when the font file cannot be handed to ffmpeg. */
export const FALLBACK_FONT_FAMILY = "DejaVu Sans Mono";
/**
 * The box's padding around the text, in pixels. drawtext takes a number here, not an
 * expression of the frame height, so it stays the same at every size.
 */
export const DRAWTEXT_BOX_BORDER = 6;

/** The font size, as in `overlayFontSize()`. */
const FONT_SIZE = `max(${OVERLAY_MIN_FONT_SIZE},round(h/${OVERLAY_HEIGHT_DIVISOR}))`;
/** The gap to the frame's edges, as in `overlayMargin()`, plus the box's padding. */
const INSET = `max(1,round(h/${OVERLAY_MARGIN_DIVISOR}))+${DRAWTEXT_BOX_BORDER}`;

/**
 * Frames a second for `{fps}`: frames drawn over the time they span, so far
 * in this run of ffmpeg (frame `n` is at time `t`, the first at 0).
 */
const FPS_EXPRESSION = "if(gt(t,0),round(n/t),0)";

/**
 * The font for drawtext: the DejaVu Sans Mono file of the `dejavu-fonts-ttf`
 * package that draws the test pattern's text, when it is a file on disk
 * that ffmpeg can open; otherwise the family `DejaVu Sans Mono` through
 * fontconfig, which falls back to the system's closest font. A compiled
 * executable serves the package's files from inside itself, where ffmpeg
 * cannot read them, and the sender may not write a copy out.
 *
 * @returns The font to pass to {@linkcode drawtextFilter}.
 */
export function drawtextFont(): DrawtextFont {
  if (!Deno.build.standalone) {
    try {
      const file = fontFilePath();
      if (Deno.statSync(file).isFile) return { file };
    } catch {
      // Not installed or not readable: let fontconfig find the family.
    }
  }
  return { family: FALLBACK_FONT_FAMILY };
}

/**
 * Builds the drawtext filter for an overlay, ready to join other filters in
 * a `-vf` graph: white text on a translucent black box, its font size 1/24 of
 * the frame height (at least 12 px), inset from the corner by 1/40 of the
 * height. `{time}` and `{date}` are drawtext's local time, read as each frame
 * is drawn; `{host}` is fixed; `{fps}` counts the frames over the time since
 * ffmpeg started.
 *
 * @example
 * ```ts
 * drawtextFilter({
 *   parts: parseOverlayText("{time}"),
 *   position: "top-left",
 *   host: "cam",
 *   font: { family: "DejaVu Sans Mono" },
 * });
 * // The string, as ffmpeg's -vf reads it:
 * // drawtext=font=DejaVu Sans Mono:text=\'%{localtime:%H\\:%M\\:%S}\':fontsize=max(12\,…
 * ```
 *
 * @param options The text, corner, host name and font.
 * @returns The filter, escaped for a filter graph.
 */
export function drawtextFilter(options: DrawtextFilterOptions): string {
  const { parts, position, host, font } = options;
  const right = position.endsWith("right");
  const bottom = position.startsWith("bottom");
  const settings: Array<[string, string]> = [
    "file" in font ? ["fontfile", font.file] : ["font", font.family],
    ["text", drawtextText(parts, host)],
    ["fontsize", FONT_SIZE],
    ["fontcolor", ffmpegColor(OVERLAY_TEXT_COLOR)],
    ["box", "1"],
    ["boxcolor", ffmpegColor(OVERLAY_BOX_COLOR)],
    ["boxborderw", String(DRAWTEXT_BOX_BORDER)],
    ["x", right ? `w-tw-(${INSET})` : INSET],
    ["y", bottom ? `h-th-(${INSET})` : INSET],
  ];
  const args = settings.map(([key, value]) => `${key}=${quoteFilterValue(value)}`).join(":");
  return `drawtext=${escapeFilterGraph(args)}`;
}

/**
 * The overlay as drawtext's `text`, before the filter's own escaping: literal
 * text with `\` and `%` escaped, the host name as literal text, and the
 * placeholders as drawtext's expansions.
 *
 * @example
 * ```ts
 * drawtextText(parseOverlayText("100% {time}"), "cam");
 * // "100\\% %{localtime:%H\\:%M\\:%S}"
 * ```
 *
 * @param parts The text, as `parseOverlayText` reads it.
 * @param host The host name, for `{host}`.
 * @returns Text for drawtext with its normal expansion.
 */
export function drawtextText(parts: readonly OverlayPart[], host: string): string {
  return parts.map((part) => {
    if ("text" in part) return escapeExpansion(part.text);
    switch (part.placeholder) {
      case "time":
        return "%{localtime:%H\\:%M\\:%S}";
      case "date":
        return "%{localtime:%Y-%m-%d}";
      case "fps":
        return `%{eif:${FPS_EXPRESSION}:d}`;
      case "host":
        return escapeExpansion(host);
    }
  }).join("");
}

/**
 * Quotes one option value of a filter (`key=value:key=value`) when it needs
 * it: a value with `:`, `\` or `'`, with spaces at its ends, or empty.
 *
 * @param value The value as the filter should receive it.
 * @returns The value as it goes between `key=` and the next `:`.
 */
export function quoteFilterValue(value: string): string {
  if (value !== "" && !/[\\':]|^\s|\s$/.test(value)) return value;
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * Escapes a filter's arguments for a filter graph (`-vf`), where `\`, `'`,
 * `[`, `]`, `,` and `;` have meanings of their own.
 *
 * @param args The arguments as the filter should receive them.
 * @returns The arguments as they go after `filter=` in the graph.
 */
export function escapeFilterGraph(args: string): string {
  return args.replace(/[\\'[\],;]/g, "\\$&");
}

/** Escapes `\` and `%`, which drawtext's text expansion reads. */
function escapeExpansion(text: string): string {
  return text.replace(/[\\%]/g, "\\$&");
}

/** `0xRRGGBBAA` as ffmpeg's `0xRRGGBB@ALPHA`. */
function ffmpegColor(color: number): string {
  const rgb = (color >>> 8).toString(16).padStart(6, "0");
  const alpha = Number(((color & 0xff) / 255).toFixed(3));
  return `0x${rgb}@${alpha}`;
}
