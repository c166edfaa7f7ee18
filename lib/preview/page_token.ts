/// <reference lib="dom" />
/**
 * The `?token=` a receiver's page was opened with, for the pages' scripts
 * (the preview page and the grid page): carried on to every request the page
 * makes (`own`), kept in this browser's storage for the origin, and taken out
 * of the address bar.
 *
 * @module
 */

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
  // opens (the preview's page for a missing token tries the kept one). The
  // hash stays: the grid page keeps the camera on show there.
  try {
    localStorage.setItem("udpcam-token", TOKEN);
    history.replaceState(null, "", location.pathname + location.hash);
  } catch {
    // Storage refused (a private window may): the token stays in the address.
  }
}
