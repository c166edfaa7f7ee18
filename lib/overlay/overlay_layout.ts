/**
 * Where and how large `sender --overlay` text is drawn, shared by the ffmpeg
 * filter and the in-process painter so that both look alike: white text on a
 * translucent black box, its size a fixed share of the frame height, inset
 * from one corner.
 *
 * @module
 */

/** The corners overlay text can sit in. */
export const OVERLAY_POSITIONS = ["top-left", "top-right", "bottom-left", "bottom-right"] as const;

/** One corner, such as `top-left`. */
export type OverlayPosition = typeof OVERLAY_POSITIONS[number];

/** Where cameras usually put their timestamp. */
export const DEFAULT_OVERLAY_POSITION: OverlayPosition = "top-left";

/** The font size is the frame height divided by this: 30 px at 720p, 90 px at 2160p. */
export const OVERLAY_HEIGHT_DIVISOR = 24;
/** The smallest font size, in pixels, so that text stays legible on small frames. */
export const OVERLAY_MIN_FONT_SIZE = 12;
/** The gap between the box and the frame's edges is the frame height divided by this. */
export const OVERLAY_MARGIN_DIVISOR = 40;
/** The text colour, `0xRRGGBBAA`: opaque white. */
export const OVERLAY_TEXT_COLOR = 0xffffffff;
/** The box colour, `0xRRGGBBAA`: black at 60 % opacity. */
export const OVERLAY_BOX_COLOR = 0x00000099;

/** A frame's or a box's size, in pixels. */
export interface Size {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/**
 * The font size for a frame: its height over {@linkcode OVERLAY_HEIGHT_DIVISOR},
 * and at least {@linkcode OVERLAY_MIN_FONT_SIZE}.
 *
 * @param frameHeight The frame's height in pixels.
 * @returns The font size in whole pixels.
 */
export function overlayFontSize(frameHeight: number): number {
  return Math.max(OVERLAY_MIN_FONT_SIZE, Math.round(frameHeight / OVERLAY_HEIGHT_DIVISOR));
}

/**
 * The gap between the overlay's box and the frame's edges.
 *
 * @param frameHeight The frame's height in pixels.
 * @returns The gap in whole pixels, at least 1.
 */
export function overlayMargin(frameHeight: number): number {
  return Math.max(1, Math.round(frameHeight / OVERLAY_MARGIN_DIVISOR));
}

/**
 * Where the overlay's box goes: inset by {@linkcode overlayMargin} from the
 * corner `position` names. A box larger than the frame keeps its left or top
 * edge on the margin.
 *
 * @param position The corner.
 * @param frame The frame's size.
 * @param box The box's size, text and padding.
 * @returns The box's top-left corner, in pixels.
 */
export function overlayOrigin(
  position: OverlayPosition,
  frame: Size,
  box: Size,
): { x: number; y: number } {
  const margin = overlayMargin(frame.height);
  const right = position.endsWith("right");
  const bottom = position.startsWith("bottom");
  return {
    x: right ? Math.max(margin, frame.width - margin - box.width) : margin,
    y: bottom ? Math.max(margin, frame.height - margin - box.height) : margin,
  };
}
