/**
 * The preview's tab icon, a camera, as SVG: served at `/favicon.svg`, so the
 * browser neither asks for a `/favicon.ico` nor needs a `data:` image.
 *
 * @module
 */

/** The icon's SVG text. */
export const FAVICON_SVG =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="9" width="20" height="16" rx="3" fill="#2e7d32"/><path d="M22 14l8-5v16l-8-5z" fill="#2e7d32"/><circle cx="9" cy="14" r="2.5" fill="#fff"/></svg>`;
