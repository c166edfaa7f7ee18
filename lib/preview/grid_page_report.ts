/// <reference lib="dom" />
/**
 * The grid page's report of the latency it measured to the screen, sent to
 * the receiver every 2 s, so the receiver's stats say what people see, not
 * only what reaches the receiver.
 *
 * @module
 */
import { own } from "./page_token.ts";
import type { LatencyWindow } from "./grid_page_latency.ts";

/** How often the page reports, in ms. */
export const REPORT_MS = 2000;
/**
 * The longest query one report carries; more cameras go in more reports. A
 * request's head must fit the receiver's limit (16 KiB), and 16 cameras of
 * 120 samples would come close.
 */
const MAX_QUERY = 6000;

/**
 * Sends the samples each camera measured since the last report, rounded to
 * 0.1 ms, as `POST screen-latency?camera=A&ms=41.2,39.8&camera=B&ms=...`. No
 * sample, no request. A report that fails is not sent again: the next one
 * carries newer samples.
 */
export function reportLatency(
  tiles: Iterable<{ name: string; latency: LatencyWindow }>,
): Promise<void> {
  const queries: string[] = [];
  let query = "";
  for (const { name, latency } of tiles) {
    const samples = latency.takeUnreported();
    if (samples.length === 0) continue;
    const pair = "camera=" + encodeURIComponent(name) + "&ms=" +
      samples.map((ms) => ms.toFixed(1)).join(",");
    if (query !== "" && query.length + 1 + pair.length > MAX_QUERY) {
      queries.push(query);
      query = "";
    }
    query += (query === "" ? "" : "&") + pair;
  }
  if (query !== "") queries.push(query);
  return Promise.all(queries.map(async (query) => {
    try {
      const response = await fetch(own("screen-latency?" + query), {
        method: "POST",
        cache: "no-store",
        signal: AbortSignal.timeout(REPORT_MS),
      });
      await response.body?.cancel();
    } catch {
      // Not reported: the receiver may be away.
    }
  })).then(() => {});
}
