import { LINK_STATE_LABELS } from "../receive/link_state.ts";
import { GRID_PAGE_TEMPLATE } from "./_grid_page_template.ts";

/**
 * The grid page at `/` of a receiver that joins several cameras: one tile a
 * camera, each with its picture at its own shape, its name, its state ("no
 * signal" unless live), its latency and a link to its own page; tiles in as
 * many columns as make them largest, coming and going with the cameras of
 * `/stats`, with no reload; a click or a number key shows one camera alone.
 *
 * Every camera's frames come in one response, `grid.mjpg`, a
 * `multipart/mixed` part a frame, named by `X-Camera`: a browser opens at
 * most six HTTP/1.1 connections to a host, and a connection a camera would
 * leave a station of more cameras without pictures. The page measures each
 * frame's latency from capture (`X-Timestamp`, on the receiver's clock) to
 * its paint on this screen, with its clock set against the receiver's by
 * `/time`, shows its p50 and p99 on the tile, and reports the samples to
 * `screen-latency`.
 *
 * Self-contained like the preview page (`preview_page.ts`): one inline style
 * and one inline script, requests only to its own origin by relative URLs,
 * each with the `?token=` the page was opened with, if any; it needs nothing
 * beyond the preview's CSP.
 *
 * Its sources are `grid_page.html`, `grid_page.css` and `grid_page_script.ts`
 * with the `grid_page_*.ts` modules it imports and `page_token.ts`, beside
 * this file; `scripts/build_page.ts` puts them together into
 * `_grid_page_template.ts`, and this fills in the link states' wording, the
 * same as the log's.
 *
 * The page script defines a global function that its tests call:
 * `gridLatency(name)`.
 */
export const GRID_PAGE: string = GRID_PAGE_TEMPLATE.replace(
  'JSON.parse("__LINK_STATE_LABELS__")',
  () => JSON.stringify({ ...LINK_STATE_LABELS, unreachable: "receiver unreachable" }),
);
