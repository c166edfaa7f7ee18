import { LINK_STATE_LABELS } from "../receive/link_state.ts";
import { PREVIEW_PAGE_TEMPLATE } from "./_preview_page_template.ts";

/**
 * The preview page at `/`: the live MJPEG stream fitted to the window, with a
 * fullscreen button and a snapshot download, beside (or, on a narrow screen,
 * above) a panel with the link's state, the receiver's stats and charts of
 * the last minute, refreshed every second from `/stats`.
 *
 * Self-contained: one inline style and one inline script, no font, script or
 * image from anywhere but `stream.mjpg`, `snapshot.jpg` and `stats` of its own
 * origin, all by relative URLs, each with the `?token=` the page was opened
 * with, if any (the preview sets no cookie: a browser would send it to every
 * port of the host).
 * It needs nothing beyond the preview's CSP (`img-src 'self'; connect-src
 * 'self'` and inline script and style): the charts are drawn on canvases.
 *
 * Its sources are `preview_page.html`, `preview_page.css` and
 * `preview_page_script.ts` with the `preview_page_*.ts` modules it imports,
 * beside this file; `scripts/build_page.ts` puts them together into
 * `_preview_page_template.ts`, and this fills in the link states' wording,
 * the same as the log's.
 *
 * The page script defines a few global functions that its tests call:
 * `formatDuration(seconds)`, `niceCeil(value)` and `snapshotName(date)`.
 */
export const PREVIEW_PAGE: string = PREVIEW_PAGE_TEMPLATE.replace(
  'JSON.parse("__LINK_STATE_LABELS__")',
  () => JSON.stringify({ ...LINK_STATE_LABELS, unreachable: "receiver unreachable" }),
);
