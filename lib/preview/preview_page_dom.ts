/// <reference lib="dom" />
/**
 * The preview page's elements and requests, for its other scripts: `$` for
 * an element by id, the video and its stage, the `?token=` the page was
 * opened with carried on to every request it makes (`own`, from
 * `page_token.ts`), and `setText`.
 *
 * @module
 */
export { own } from "./page_token.ts";

/** The page's element with this id. */
export const $ = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.getElementById(id) as T;
/** The `<img>` that shows the MJPEG stream. */
export const video = $<HTMLImageElement>("video");
/** The video's frame, what goes fullscreen. */
export const stage = $("stage");

/** Sets an element's text, only when it changes. */
export function setText(id: string, text: string): void {
  const element = $(id);
  // Only on change: screen readers announce the live state region each time it is written.
  if (element.textContent !== text) element.textContent = text;
}
