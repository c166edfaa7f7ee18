import type { CpuSample, ProcessRole } from "./cpu_sample.ts";
import { type CpuShares, cpuShares, processShare } from "./cpu_shares.ts";
import { acrossCameras, median, type Percentiles, percentiles } from "./latency_percentiles.ts";
import type { ReportedSamples, ScreenRun, StationStats, TileCounts } from "./screen_run.ts";
import { type Spread, spread } from "./spread.ts";
import type { ViewedPart } from "./viewer.ts";

/** One span of a run, from the start or from the end of the start-up to the end. */
export interface ScreenSpan {
  /** Its bounds, s from the start. */
  from: number;
  to: number;
  /** Frames painted in the page a second, a camera. */
  paintedFps: Spread;
  /** Frames the receiver completed a second, a camera. */
  receiverFps: Spread;
  /** Parts the HTTP viewer read a second (one camera). */
  viewerFps: number;
  /** Capture to the HTTP viewer reading the part, ms. */
  httpLatencyMs: Percentiles;
  /**
   * Capture to paint, ms, every camera's samples together, as the page
   * measured and reported them; a report carries the 2 s before it, so the
   * span after start-up takes the reports sent from 2 s after it begins.
   */
  paintLatencyMs: Percentiles;
  cpuPercent: CpuShares;
}

/** What one run of the screen part found. */
export interface ScreenResult {
  cameras: number;
  /** Chromium's version. */
  browser: string;
  /** The run, s from the start to the last reading. */
  seconds: number;
  viewerPath: string;
  /** The start-up, ms from the start; null for what never happened. */
  startupMs: {
    browser: number | null;
    receiverListening: number | null;
    sendersListening: number | null;
    pageLoaded: number | null;
    /** The first frame painted, of any camera. */
    firstPaint: number | null;
    /** By when every camera had a frame painted. */
    allPainted: number | null;
  };
  /** `/stats` latencyMs.p50 of each camera at the end: the median and the worst. */
  receiverLatencyP50Ms: { median: number | null; max: number | null };
  /** From the start to the end, then from the end of the start-up to the end. */
  spans: [ScreenSpan, ScreenSpan];
  /**
   * Capture to paint over the last 10 s, three ways: the page's own
   * `gridLatency` and `/stats` screenLatencyMs (p50 the median of the
   * cameras', p99 the worst camera's), and the page's reports sent then, all
   * cameras together; beside them the HTTP viewer's over the same 10 s.
   */
  last10s: { page: Percentiles; stats: Percentiles; reports: Percentiles; http: Percentiles };
  /** Each camera: frames painted a second over each span, and its first paint (ms from the start). */
  byCamera: Record<string, { paintedFps: [number, number]; firstPaintMs: number | null }>;
  /**
   * Frames of every camera over the run: lost or given up by the receiver,
   * written to the page's `grid.mjpg` and skipped there for a newer one
   * (the page took them too slowly), and in the page painted, skipped for
   * a newer one (decoding slower than they came) and broken.
   */
  frames: {
    receiverDropped: number;
    gridServed: number | null;
    gridSkipped: number | null;
    painted: number;
    pageSkipped: number;
    broken: number;
  };
  /** Each process's CPU over each span, % of one CPU. */
  processes: Array<{ label: string; role: ProcessRole; pid: number; cpuPercent: [number, number] }>;
  pageErrors: string[];
  /** The receiver's resident memory at the end, MB. */
  receiverRssMB: number;
}

/** How far back the page's and the receiver's figures of the screen reach, ms. */
export const SCREEN_WINDOW_MS = 10_000;
/** How often the page reports, ms. */
export const REPORT_EVERY_MS = 2_000;

/** Turns what a run saw into its figures. */
export function summarizeScreen(run: ScreenRun): Omit<ScreenResult, "browser"> {
  const { startedAt, coldEndsAt, endedAt } = run;
  const names = run.stats.end.cameras.map((camera) => camera.name);
  const since = (at: number | null) => (at === null ? null : at - startedAt);
  const first = Object.fromEntries(names.map((name) => [name, run.paints[name]?.[0] ?? null]));
  const firsts = Object.values(first);
  const byCamera: ScreenResult["byCamera"] = {};
  for (const name of names) {
    const paints = run.paints[name] ?? [];
    byCamera[name] = {
      paintedFps: [
        ratePerSecond(paints, startedAt, endedAt),
        ratePerSecond(paints, coldEndsAt, endedAt),
      ],
      firstPaintMs: since(first[name]),
    };
  }
  const span = (from: number, stats: StationStats, cpu: CpuSample, reportsFrom: number) => ({
    from: (from - startedAt) / 1000,
    to: (endedAt - startedAt) / 1000,
    paintedFps: spread(names.map((name) => ratePerSecond(run.paints[name] ?? [], from, endedAt))),
    receiverFps: spread(names.map((name) => {
      const before = stats.cameras.find((camera) => camera.name === name)?.framesReceived ?? 0;
      const after = run.stats.end.cameras.find((camera) => camera.name === name)!.framesReceived;
      return ((after - before) * 1000) / (run.stats.end.at - stats.at);
    })),
    viewerFps: ratePerSecond(run.parts.map((part) => part.readAt), from, endedAt),
    httpLatencyMs: httpLatency(run.parts, from, endedAt, run.receiverClockOffsetMs),
    paintLatencyMs: percentiles(reportedBetween(run.reports, reportsFrom, endedAt)),
    cpuPercent: cpuShares(cpu, run.cpu.end),
  });
  // Nothing was received before the start.
  const atStart: StationStats = { at: startedAt, cameras: [], grid: null };
  const lastFrom = endedAt - SCREEN_WINDOW_MS;
  const p50s = present(run.stats.end.cameras.map((camera) => camera.latencyP50));
  return {
    cameras: run.cameras,
    seconds: (endedAt - startedAt) / 1000,
    viewerPath: run.viewerPath,
    startupMs: {
      browser: since(run.startup.browser),
      receiverListening: since(run.startup.receiverListening),
      sendersListening: since(run.startup.sendersListening),
      pageLoaded: since(run.startup.pageLoaded),
      firstPaint: since(firsts.some((at) => at !== null) ? Math.min(...present(firsts)) : null),
      allPainted: since(
        firsts.length > 0 && firsts.every((at) => at !== null)
          ? Math.max(...present(firsts))
          : null,
      ),
    },
    receiverLatencyP50Ms: {
      median: p50s.length === 0 ? null : median(p50s),
      max: p50s.length === 0 ? null : Math.max(...p50s),
    },
    spans: [
      span(startedAt, atStart, run.cpu.start, startedAt),
      span(coldEndsAt, run.stats.cold, run.cpu.cold, coldEndsAt + REPORT_EVERY_MS),
    ],
    last10s: {
      page: acrossCameras(names.map((name) => run.pageLatency[name] ?? { samples: 0 })),
      stats: acrossCameras(run.stats.end.cameras.map((camera) => camera.screenLatency)),
      reports: percentiles(reportedBetween(run.reports, lastFrom, endedAt)),
      http: httpLatency(run.parts, lastFrom, endedAt, run.receiverClockOffsetMs),
    },
    byCamera,
    frames: {
      receiverDropped: run.stats.end.cameras.reduce((sum, camera) => sum + camera.framesDropped, 0),
      gridServed: run.stats.end.grid?.framesServed ?? null,
      gridSkipped: run.stats.end.grid?.framesSkipped ?? null,
      painted: sumOf(Object.values(run.tiles), "painted"),
      pageSkipped: sumOf(Object.values(run.tiles), "skipped"),
      broken: sumOf(Object.values(run.tiles), "broken"),
    },
    processes: run.cpu.end.processes.map((process) => ({
      label: process.label,
      role: process.role,
      pid: process.pid,
      cpuPercent: [
        processShare(process.pid, run.cpu.start, run.cpu.end),
        processShare(process.pid, run.cpu.cold, run.cpu.end),
      ],
    })),
    pageErrors: [...run.pageErrors],
    receiverRssMB: run.receiverRssMB,
  };
}

/** How many of `times` fall in `[from, to)`, a second; NaN for an empty span. */
export function ratePerSecond(times: readonly number[], from: number, to: number): number {
  if (!(to > from)) return NaN;
  return (times.filter((at) => at >= from && at < to).length * 1000) / (to - from);
}

/** The samples of the reports sent in `[from, to)`, every camera's. */
export function reportedBetween(
  reports: readonly ReportedSamples[],
  from: number,
  to: number,
): number[] {
  return reports.filter((report) => report.at >= from && report.at < to)
    .flatMap((report) => report.ms);
}

/**
 * Capture to read of the parts read in `[from, to)`, the read moved onto the
 * receiver's clock (`offsetMs`, the receiver's less the bench's), where
 * the capture time is.
 */
function httpLatency(
  parts: readonly ViewedPart[],
  from: number,
  to: number,
  offsetMs: number,
): Percentiles {
  return percentiles(
    parts.filter((part) => part.readAt >= from && part.readAt < to)
      .map((part) => part.readAt + offsetMs - part.captureTime),
  );
}

function sumOf(tiles: readonly TileCounts[], field: keyof TileCounts): number {
  return tiles.reduce((sum, tile) => sum + tile[field], 0);
}

function present<T>(values: ReadonlyArray<T | null>): T[] {
  return values.filter((value): value is T => value !== null);
}
