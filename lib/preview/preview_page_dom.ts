/// <reference lib="dom" />
/**
 * The preview page's elements and requests, for its other scripts: `$` for
 * an element by id, the video and its stage, the `?token=` the page was
 * opened with carried on to every request it makes (`own`), and `setText`.
 *
 * @module
 */

/** The page's element with this id. */
export const $ = <T extends HTMLElement = HTMLElement>(id: string) =>
  document.getElementById(id) as T;
/** The `<img>` that shows the MJPEG stream. */
export const video = $<HTMLImageElement>("video");
// The token this page was opened with, if any, goes on to every request it makes.
const TOKEN = new URLSearchParams(location.search).get("token");

/** `path` with this page's ?token=, if it was opened with one. */
export function own(path: string): string {
  if (TOKEN === null) return path;
  return path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(TOKEN);
}
if (TOKEN !== null) {
  document.querySelector<HTMLLinkElement>('link[rel="icon"]')!.href = own("favicon.svg");
  // Kept by this browser for this origin (no other port can read it, unlike a
  // cookie): the address bar can drop it, and a bookmark without it still
  // opens (the preview's page for a missing token tries the kept one).
  try {
    localStorage.setItem("udpcam-token", TOKEN);
    history.replaceState(null, "", location.pathname);
  } catch {
    // Storage refused (a private window may): the token stays in the address.
  }
}
/** The video's frame, what goes fullscreen. */
export const stage = $("stage");

/** Sets an element's text, only when it changes. */
export function setText(id: string, text: string): void {
  const element = $(id);
  // Only on change: screen readers announce the live state region each time it is written.
  if (element.textContent !== text) element.textContent = text;
}
