/// <reference lib="dom" />
/**
 * The script of the grid page (`grid_page.html`), browser code: the build
 * (`scripts/build_page.ts`) strips the types of this and the modules it
 * imports (`grid_page_*.ts`, `page_token.ts`) and writes them inline into
 * the page, as it does for the preview page.
 *
 * One tile a camera, in the order of `/stats`, polled once a second: tiles
 * come and go with the cameras there, with no reload. Every camera's frames
 * come in one `grid.mjpg` response, never one connection a camera: a browser
 * opens at most six HTTP/1.1 connections to a host, and a station has more
 * cameras than that. The page measures each frame's latency from capture to
 * the browser presenting it on this screen (`grid_page_paint.ts`), shows it
 * on the tile and reports it to the receiver every 2 s.
 *
 * Its tests read each tile's `data-camera`, `data-state` and `data-painted`,
 * and call the global `gridLatency(name)`.
 *
 * @module
 */
import { type Camera, CAMERA_NAME } from "./grid_page_cameras.ts";
import { clockOffset, forgetClock, SYNC_MS, syncClock } from "./grid_page_clock.ts";
import { gridColumns } from "./grid_page_columns.ts";
import { GoneCameras } from "./grid_page_gone.ts";
import type { LatencySummary } from "./grid_page_latency.ts";
import type { Part } from "./grid_page_part_stream.ts";
import { REPORT_MS, reportLatency } from "./grid_page_report.ts";
import { fetchCameras, POLL_MS } from "./grid_page_stats.ts";
import { GridStream } from "./grid_page_stream.ts";
import { Tile } from "./grid_page_tile.ts";

/**
 * Each state's wording, as the receiver's log words it, and `unreachable`: the
 * receiver writes them in place of this placeholder as it serves the page.
 */
const LABELS: Readonly<Record<string, string>> = JSON.parse("__LINK_STATE_LABELS__");

/**
 * How long a tile made for a camera first met in `grid.mjpg` stays while
 * `/stats` does not list it: the poll may have been answered just before the
 * camera came.
 */
const UNLISTED_MS = 3000;

const grid = document.getElementById("grid")!;
const tiles = new Map<string, Tile>();
/** Cameras a poll took away: their frames make no tile until a poll lists them again. */
const gone = new GoneCameras();
/** The camera shown alone, if any; `#cam=NAME` in the address. */
let alone: string | undefined;
/** The camera the address asked for before its tile came. */
let wanted: string | undefined = cameraInHash();

function addTile(name: string): Tile {
  const tile = new Tile(name, LABELS);
  tiles.set(name, tile);
  grid.append(tile.element);
  tile.element.addEventListener("click", (event) => {
    // The link opens the camera's own page; anywhere else shows it alone, or goes back.
    if ((event.target as Element).closest("a") === null) {
      showAlone(alone === name ? undefined : name);
    }
  });
  if (wanted === name) showAlone(name);
  return tile;
}

function removeTile(tile: Tile): void {
  tile.remove();
  tiles.delete(tile.name);
  if (alone === tile.name) showAlone(undefined);
}

/** A frame of `grid.mjpg`, to its camera's tile, which it makes if the camera is new. */
function takePart(part: Part): void {
  const name = part.headers.get("x-camera");
  if (name === undefined || !CAMERA_NAME.test(name) || gone.has(name)) return;
  let tile = tiles.get(name);
  if (tile === undefined) {
    tile = addTile(name);
    arrange();
  }
  tile.offer(part);
}

/** Makes, updates, orders and removes tiles after the cameras of `/stats`. */
function showCameras(cameras: Camera[]): void {
  const listed = new Set(cameras.map((camera) => camera.name));
  for (const camera of cameras) {
    gone.delete(camera.name);
    const tile = tiles.get(camera.name) ?? addTile(camera.name);
    tile.listed = true;
    tile.show(camera);
  }
  for (const tile of [...tiles.values()]) {
    if (listed.has(tile.name)) continue;
    if (!tile.listed && performance.now() - tile.madeAt < UNLISTED_MS) continue;
    removeTile(tile);
    gone.add(tile.name);
  }
  // The tiles in the order of /stats, those it does not list yet last.
  const unlisted = [...tiles.values()].filter((tile) => !listed.has(tile.name));
  const ordered = cameras.map((camera) => tiles.get(camera.name)!).concat(unlisted);
  tiles.clear();
  for (const tile of ordered) tiles.set(tile.name, tile);
  const live = cameras.filter((camera) => camera.state === "live").length;
  setText("count", live + " / " + cameras.length + " live");
  arrange();
}

/** Puts the tiles in the order of `/stats` (those it does not list yet last), numbers them, and lays them out. */
function arrange(): void {
  const order = [...tiles.values()];
  const elements = [...grid.querySelectorAll<HTMLElement>(":scope > .tile")];
  if (order.some((tile, i) => elements[i] !== tile.element)) {
    for (const tile of order) grid.append(tile.element);
  }
  order.forEach((tile, i) => {
    tile.setKey(i < 9 ? i + 1 : undefined);
    tile.setShown(alone === undefined || alone === tile.name, alone === tile.name);
  });
  layOut();
}

/** Sets the grid's columns and rows to show the tiles on show largest. */
function layOut(): void {
  const count = alone === undefined ? tiles.size : 1;
  const style = getComputedStyle(grid);
  const columns = gridColumns(count, {
    width: grid.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    height: grid.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom),
    gap: parseFloat(style.columnGap) || 0,
  });
  const rows = Math.max(1, Math.ceil(count / columns));
  if (grid.dataset.columns !== String(columns) || grid.dataset.rows !== String(rows)) {
    grid.style.setProperty("--columns", String(columns));
    grid.style.setProperty("--rows", String(rows));
    grid.dataset.columns = String(columns);
    grid.dataset.rows = String(rows);
  }
}
new ResizeObserver(layOut).observe(grid);

/** Shows one camera alone, filling the page, or (undefined) every camera. */
function showAlone(name: string | undefined): void {
  wanted = undefined;
  alone = name !== undefined && tiles.has(name) ? name : undefined;
  const hash = alone === undefined ? "" : "#cam=" + alone;
  if (location.hash !== hash) {
    history.replaceState(null, "", location.pathname + location.search + hash);
  }
  arrange();
}

/** The camera `#cam=NAME` names, if the address has one. */
function cameraInHash(): string | undefined {
  const name = /^#cam=(.+)$/.exec(location.hash)?.[1];
  return name !== undefined && CAMERA_NAME.test(name) ? name : undefined;
}

addEventListener("hashchange", () => {
  const name = cameraInHash();
  if (name !== undefined && !tiles.has(name)) wanted = name;
  else showAlone(name);
});
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Escape" && alone !== undefined) {
    showAlone(undefined);
  } else if (/^[1-9]$/.test(event.key)) {
    const tile = [...tiles.values()][Number(event.key) - 1];
    if (tile !== undefined) showAlone(alone === tile.name ? undefined : tile.name);
  }
});

function setText(id: string, text: string): void {
  const element = document.getElementById(id)!;
  // Only on change: screen readers announce the live status each time it is written.
  if (element.textContent !== text) element.textContent = text;
}

function showStatus(state: "ok" | "unreachable", reason: string): void {
  const status = document.getElementById("status")!;
  status.dataset.state = state;
  setText("status", state === "ok" ? "" : LABELS.unreachable);
  status.title = reason;
  document.body.dataset.stale = String(state !== "ok");
}

const stream = new GridStream(takePart);
let failures = 0;

async function poll(): Promise<void> {
  const started = performance.now();
  try {
    const { cameras, reason } = await fetchCameras();
    if (cameras === undefined) {
      failures++;
      showStatus("unreachable", reason ?? "");
    } else {
      showStatus("ok", "");
      showCameras(cameras);
      // Back after failing: the receiver may have restarted, and its stream with it.
      if (failures > 0 && !document.hidden) stream.open({ now: true });
      failures = 0;
    }
    for (const tile of tiles.values()) tile.showLatency();
  } finally {
    setTimeout(poll, Math.max(0, POLL_MS - (performance.now() - started)));
  }
}

async function keepClock(): Promise<void> {
  await syncClock();
  setTimeout(keepClock, SYNC_MS);
}

// Firefox keeps downloading a stream in a hidden tab: the page lets go of it while hidden.
// Shown again, it syncs its clock before it measures again (the picture comes back at
// once): while the tab was hidden, or the machine asleep, either clock may have been set.
document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    stream.close();
  } else {
    forgetClock();
    syncClock();
    stream.open();
  }
});
if (!document.hidden) stream.open();
keepClock();
poll();
setInterval(() => reportLatency(tiles.values()), REPORT_MS);

/** For the tests: the latency to the screen the page measured for a camera, over the last 10 s. */
function gridLatency(name: string): LatencySummary & { clockOffsetMs?: number } {
  const summary = tiles.get(name)?.latency.summary(performance.now()) ?? { samples: 0 };
  return { ...summary, clockOffsetMs: clockOffset()?.offsetMs };
}
Object.assign(globalThis, { gridLatency });
