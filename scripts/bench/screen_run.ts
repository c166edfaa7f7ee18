import type { CpuSample } from "./cpu_sample.ts";
import type { Percentiles } from "./latency_percentiles.ts";
import type { ViewedPart } from "./viewer.ts";

/** Times by camera name, ms since the epoch. */
export type CameraTimes = Record<string, number[]>;

/** One camera's samples in one report the page sent to `screen-latency`. */
export interface ReportedSamples {
  /** When the page sent it, ms since the epoch. */
  at: number;
  camera: string;
  /** Capture to paint, ms, as the page measured them since its last report. */
  ms: number[];
}

/** A tile's counters in the page, as its `data-` attributes say. */
export interface TileCounts {
  /** Frames painted. */
  painted: number;
  /** Frames let go for a newer one before they were decoded or drawn. */
  skipped: number;
  /** Frames the browser could not decode. */
  broken: number;
}

/** What `/stats` said of one camera. */
export interface CameraStats {
  name: string;
  framesReceived: number;
  /** Frames the receiver lost or gave up, all reasons. */
  framesDropped: number;
  /** `latencyMs.p50`: capture to the whole frame in the receiver, over its last 1,024 frames. */
  latencyP50: number | null;
  /** `screenLatencyMs`: capture to paint as pages reported it, over the last 10 s. */
  screenLatency: Percentiles;
}

/** `/stats` of the station at one moment. */
export interface StationStats {
  /** When it was read, ms since the epoch. */
  at: number;
  cameras: CameraStats[];
  /** `grid`: frames written to `grid.mjpg` viewers, and skipped for a newer one of the same camera. */
  grid: { framesServed: number; framesSkipped: number } | null;
}

/** Everything one run of the screen part saw, as it saw it; times in ms since the epoch. */
export interface ScreenRun {
  /** How many senders, each a camera. */
  cameras: number;
  /** When the tools and the browser were started, at the same moment. */
  startedAt: number;
  /** The start-up, counted apart: the first span of the run ends here. */
  coldEndsAt: number;
  /** When the run's figures were last read. */
  endedAt: number;
  /** When each part of the start-up was done; null if it never was. */
  startup: {
    browser: number | null;
    receiverListening: number | null;
    sendersListening: number | null;
    pageLoaded: number | null;
  };
  /** The MJPEG stream the HTTP viewer read, from the receiver's `/`. */
  viewerPath: string;
  /** What the viewer read. */
  parts: readonly ViewedPart[];
  /** Each camera's paints in the page (its tile's `data-painted` going up). */
  paints: CameraTimes;
  /** What the page reported to `screen-latency`. */
  reports: readonly ReportedSamples[];
  /** Each tile's counters at the end. */
  tiles: Record<string, TileCounts>;
  /** The page's `gridLatency(name)` of each camera at the end: its last 10 s. */
  pageLatency: Record<string, { p50?: number; p99?: number; samples: number }>;
  /** `/stats` when the start-up ended, and at the end. */
  stats: { cold: StationStats; end: StationStats };
  /** CPU at the start, when the start-up ended, and at the end. */
  cpu: { start: CpuSample; cold: CpuSample; end: CpuSample };
  /** The page's errors. */
  pageErrors: readonly string[];
  /** The receiver's resident memory at the end of the run, MB (`VmRSS`). */
  receiverRssMB: number;
  /** The receiver's clock less the bench's, ms (`/time`), for the HTTP reader's latency. */
  receiverClockOffsetMs: number;
}
