import type { Browser, Page } from "playwright-core";
import { parseScreenLatencyReport } from "../../lib/preview/screen_latency.ts";
import { wallClock } from "../../lib/util/clock.ts";
import { watchErrors } from "../../tests/preview/_browser.ts";
import type { CameraTimes, ReportedSamples, TileCounts } from "./screen_run.ts";

/** The grid page open in a tab, watched. */
export interface ScreenPage {
  readonly page: Page;
  /** What the page reported to `POST screen-latency`, as it sent it. */
  readonly reports: ReportedSamples[];
  /** The page's uncaught errors and console errors. */
  readonly errors: string[];
  /** When the page's document was parsed (DOMContentLoaded), ms since the epoch. */
  readonly loadedAt: number;
  /**
   * Each camera's paints so far: when its tile's `data-painted` went up, ms
   * since the epoch, on the browser's clock (this machine's).
   */
  paints(): Promise<CameraTimes>;
  /** Each tile's counters: frames painted, skipped (a newer one came before it was decoded) and broken. */
  tiles(): Promise<Record<string, TileCounts>>;
  /** The page's own `gridLatency(name)`: capture to paint over its last 10 s. */
  gridLatency(name: string): Promise<{ p50?: number; p99?: number; samples: number }>;
}

/**
 * Records the time of every change of a tile's `data-painted` (the page
 * counts a frame painted once the browser has presented it); injected
 * before the page's own script, by the browser, outside its CSP.
 */
const PAINT_RECORDER = `(() => {
  const paints = {};
  Object.defineProperty(globalThis, "__benchPaints", { value: paints });
  new MutationObserver((records) => {
    const at = Date.now();
    for (const record of records) {
      const name = record.target.dataset.camera;
      if (name) (paints[name] ??= []).push(at);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-painted"] });
})();`;

/** Each tile's `data-painted`, `data-skipped` and `data-broken`, by its `data-camera`. */
const TILE_COUNTS =
  `Object.fromEntries([...document.querySelectorAll("article.tile")].map((tile) => [
  tile.dataset.camera,
  {
    painted: Number(tile.dataset.painted ?? 0),
    skipped: Number(tile.dataset.skipped ?? 0),
    broken: Number(tile.dataset.broken ?? 0),
  },
]))`;

/**
 * Opens the grid page at `url` (the receiver's `/grid.html`, the grid for one
 * camera as for nine) in a new tab, and watches it paint.
 */
export async function openScreenPage(
  browser: Browser,
  url: string,
): Promise<ScreenPage> {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  const reports: ReportedSamples[] = [];
  page.on("request", (request) => {
    const target = new URL(request.url());
    if (request.method() !== "POST" || target.pathname !== "/screen-latency") return;
    const at = wallClock();
    for (const [camera, ms] of parseScreenLatencyReport(target) ?? []) {
      reports.push({ at, camera, ms });
    }
  });
  await page.addInitScript(PAINT_RECORDER);
  await page.goto(url, { waitUntil: "domcontentloaded" });
  const loadedAt = await page.evaluate(`performance.timeOrigin +
    performance.getEntriesByType("navigation")[0].domContentLoadedEventStart`) as number;
  return {
    page,
    reports,
    errors,
    loadedAt,
    paints: async () => await page.evaluate("__benchPaints") as CameraTimes,
    tiles: async () => await page.evaluate(TILE_COUNTS) as Record<string, TileCounts>,
    gridLatency: async (name) =>
      await page.evaluate(`gridLatency(${JSON.stringify(name)})`) as { samples: number },
  };
}
