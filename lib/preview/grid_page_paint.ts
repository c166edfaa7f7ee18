/// <reference lib="dom" />
/**
 * The grid page's painting: every tile with a new frame draws it in the same
 * animation frame, and learns when the browser has presented the drawing.
 *
 * The time of a paint is the timestamp of the animation frame after the one
 * that drew it: by then the browser has handed the frame with the drawing to
 * its compositor, which is about when it first presents it. The display may
 * show it one or more refreshes later (the compositor's own frame, the
 * display's scan-out). So the latency the page measures runs from capture to
 * the browser presenting the frame: a lower bound of what the eye sees, short
 * of it by up to a refresh or two.
 *
 * @module
 */

/** What the painter paints: a tile with a new frame. */
export interface Paintable {
  /** Draws its newest frame, if it has one not drawn yet; true if it drew. */
  draw(): boolean;
  /** Told that the browser presented what it drew last at `at` (ms since the epoch, page clock). */
  presented(at: number): void;
}

/** The tiles with a frame to draw at the next animation frame. */
const waiting = new Set<Paintable>();
/** The tiles that drew at the last animation frame. */
let drew: Paintable[] = [];
let scheduled = false;

/** Has `tile` draw at the next animation frame. */
export function requestPaint(tile: Paintable): void {
  waiting.add(tile);
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(paint);
}

function paint(timestamp: number): void {
  scheduled = false;
  const at = performance.timeOrigin + timestamp;
  for (const tile of drew) tile.presented(at);
  drew = [];
  for (const tile of waiting) if (tile.draw()) drew.push(tile);
  waiting.clear();
  // One more animation frame to learn when these drawings reached the screen.
  if (drew.length > 0) schedule();
}
