import { wallClock } from "../util/clock.ts";
import { FAVICON_SVG } from "./favicon.ts";
import { GRID_PAGE } from "./grid_page.ts";
import { type GridStats, GridViewers } from "./_grid_viewers.ts";
import { parseScreenLatencyReport } from "./screen_latency.ts";
import type { StationCamera, StationCameras } from "./station_cameras.ts";
import { textResponse } from "./_text_response.ts";

/** Options for {@linkcode createStationHandler}. */
export interface StationHandlerOptions {
  /** The station's cameras. */
  cameras: StationCameras;
  /**
   * Whether `/` is the grid of every camera; else it is the first camera's
   * page, as for a receiver of one sender. @default {true}
   */
  grid?: boolean;
  /** What `/stats` says of the receiver as a whole (event-loop lag, HTTP counters). */
  stats: () => object;
  /** The body of `/metrics`. @default {undefined} no `/metrics` (404) */
  metrics?: () => string;
  /** The most `grid.mjpg` viewers at once. @default {16} */
  maxGridViewers?: number;
  /** How long a `grid.mjpg` viewer may take nothing, in ms, before it is dropped. @default {10000} */
  stallMs?: number;
}

/** An HTTP handler for the station, with its grid's counters. */
export interface StationHandler {
  /** Serves one request. */
  (request: Request): Response;
  /** The grid's counters now. */
  readonly grid: GridStats;
}

const NO_STORE = { "cache-control": "no-store" };
const JSON_TYPE = { ...NO_STORE, "content-type": "application/json" };
const CAMERA_PATH = /^\/cam\/([^/]+)(\/.*)?$/;

/**
 * The receiver's HTTP preview for any number of cameras:
 * - `/` the grid of every camera (`grid.mjpg`, one response carrying every
 *   camera's frames; see `GridViewers`), or with `grid: false` the first
 *   camera's page; the grid is at `/grid.html` either way (one camera's
 *   latency to the screen is measured there);
 * - `/cam/NAME/` each camera's own page, with its `stream.mjpg`,
 *   `snapshot.jpg` and `stats` beside it;
 * - today's `/stream.mjpg` and `/snapshot.jpg`, serving the first camera;
 * - `/stats`: the first camera's stats at the top (as for one sender), and
 *   `cameras`, an entry for each; `/metrics`;
 * - `time`, the receiver's clock for pages to measure their offset to it,
 *   and `POST screen-latency`, where pages report the latency to the screen
 *   they measured.
 */
export function createStationHandler(options: StationHandlerOptions): StationHandler {
  const { cameras, grid = true } = options;
  const gridViewers = new GridViewers({
    cameras,
    maxViewers: options.maxGridViewers ?? 16,
    stallMs: options.stallMs ?? 10_000,
  });

  const entry = (camera: StationCamera) => ({
    name: camera.name,
    path: `/cam/${camera.name}/`,
    ...camera.stats(),
    screenLatencyMs: camera.screenLatency.stats,
    preview: camera.handler.stats,
  });

  function stats(): Response {
    const first = cameras.first;
    const body = {
      ...(first === undefined ? { state: "connecting", framesReceived: 0 } : entry(first)),
      cameras: cameras.list.map(entry),
      grid: gridViewers.stats,
      ...options.stats(),
      time: new Date(wallClock()).toISOString(),
    };
    return new Response(JSON.stringify(body), { headers: JSON_TYPE });
  }

  /** `POST screen-latency`: only from a page of this origin, samples of known cameras taken. */
  function screenLatency(request: Request, url: URL): Response {
    if (!sameOrigin(request)) {
      return textResponse(403, "Reports come from the preview's own page\n");
    }
    const report = parseScreenLatencyReport(url);
    if (report === undefined) {
      return textResponse(400, "Report as screen-latency?camera=NAME&ms=41.2,39.8 (256 at most)\n");
    }
    for (const [name, samples] of report) cameras.get(name)?.screenLatency.add(samples);
    return new Response(null, { status: 204 });
  }

  /** The grid page: at `/` for a station, and at `/grid.html` whatever the count. */
  function gridPage(): Response {
    return new Response(GRID_PAGE, {
      headers: { ...NO_STORE, "content-type": "text/html; charset=utf-8" },
    });
  }

  /** A request for the first camera, as today's paths are. */
  function first(request: Request, url: URL): Response {
    const camera = cameras.first;
    if (camera === undefined) return textResponse(503, "No camera yet: waiting for a sender\n");
    return camera.handler(withPath(request, url, url.pathname));
  }

  const route = (request: Request, url: URL): Response => {
    const path = url.pathname;
    if (request.method === "POST") {
      return path === "/screen-latency"
        ? screenLatency(request, url)
        : methodNotAllowed("GET, HEAD");
    }
    if (path === "/screen-latency") return methodNotAllowed("POST");
    if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed("GET, HEAD");
    const match = CAMERA_PATH.exec(path);
    if (match !== null) {
      // Names are of CAMERA_NAME's characters: nothing to decode, and `%E0` is no name.
      const camera = cameras.get(match[1]);
      if (camera === undefined) return textResponse(404, "No camera of that name here\n");
      if (match[2] === undefined) {
        // Its page's relative links need the slash.
        return new Response(null, {
          status: 308,
          headers: { location: `/cam/${camera.name}/${url.search}` },
        });
      }
      return camera.handler(withPath(request, url, match[2]));
    }
    switch (path) {
      case "/":
        if (!grid) return first(request, url);
        return gridPage();
      case "/grid.html":
        return gridPage();
      case "/grid.mjpg":
        return gridViewers.serve();
      case "/time":
        return new Response(JSON.stringify({ now: wallClock() }), { headers: JSON_TYPE });
      case "/stats":
        return stats();
      case "/metrics":
        if (options.metrics === undefined) return textResponse(404, "Not found\n");
        return new Response(options.metrics(), {
          headers: { ...NO_STORE, "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        });
      case "/favicon.svg":
        return new Response(FAVICON_SVG, {
          headers: { ...NO_STORE, "content-type": "image/svg+xml" },
        });
      case "/stream.mjpg":
      case "/snapshot.jpg":
        return first(request, url);
      default:
        return textResponse(404, "Not found\n");
    }
  };

  const handler = (request: Request): Response => {
    const response = route(request, new URL(request.url));
    if (request.method !== "HEAD") return response;
    // HEAD: the same headers, and no stream left open for a viewer who never reads it.
    response.body?.cancel();
    return new Response(null, { status: response.status, headers: response.headers });
  };
  Object.defineProperty(handler, "grid", { get: () => gridViewers.stats });
  return handler as StationHandler;
}

/** `request` as a camera's own handler sees it: at `path`, its query kept. */
function withPath(request: Request, url: URL, path: string): Request {
  if (path === url.pathname) return request;
  const inner = new URL(url);
  inner.pathname = path;
  return new Request(inner, { method: request.method, headers: request.headers });
}

function methodNotAllowed(allow: string): Response {
  const response = textResponse(405, "Method not allowed\n");
  response.headers.set("allow", allow);
  return response;
}

/**
 * Whether a request comes from a page of the preview's own origin: a page
 * elsewhere may send a simple POST here (no preflight), and must not feed
 * the figures. Browsers send `Origin` with every POST, and most
 * `Sec-Fetch-Site`; a client that is no browser sends neither.
 */
function sameOrigin(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return false;
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  try {
    return new URL(origin).host === request.headers.get("host");
  } catch {
    return false;
  }
}
