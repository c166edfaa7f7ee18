import type { Browser } from "playwright-core";
import { wallClock } from "../../lib/util/clock.ts";
import { delay } from "./abortable.ts";
import type { BenchClip } from "./bench_clip.ts";
import { launchChromium } from "./launch_chromium.ts";
import { COLD_START_SECONDS } from "./cold_start.ts";
import { type RunTools, sampleCpu } from "./cpu_sample.ts";
import { receiverStats } from "./receiver_stats.ts";
import { residentMB } from "./process_sample.ts";
import { receiverClockOffset } from "./receiver_clock.ts";
import { openScreenPage, type ScreenPage } from "./screen_page.ts";
import type { CameraStats, StationStats } from "./screen_run.ts";
import { type ScreenResult, summarizeScreen } from "./summarize_screen.ts";
import { type BenchStation, startStation } from "./start_station.ts";

/** Options for {@linkcode measureScreen}. */
export interface MeasureScreenOptions {
  /** How many senders, each a camera of the one receiver. */
  cameras: number;
  /** Seconds from the start to the last reading. */
  seconds: number;
  /** Clock ticks a second in `/proc/PID/stat`. */
  ticksPerSecond: number;
  /** Aborts the run; everything started is stopped all the same. */
  signal: AbortSignal;
  /** Told how far it is. */
  progress: (message: string) => void;
}

/**
 * Starts `cameras` senders of `clip`, a receiver of them all and headless
 * Chromium at the same moment, opens the receiver's grid page as soon as
 * both are up, and reads `seconds` from that moment: what the page painted
 * and measured, what an HTTP viewer of the first camera's MJPEG stream read,
 * `/stats` and every process's CPU, at the end of the start-up (5 s) and at
 * the end. The browser is closed and the tools stopped before it returns or throws.
 */
export async function measureScreen(
  clip: BenchClip,
  options: MeasureScreenOptions,
): Promise<ScreenResult> {
  const { cameras, seconds, ticksPerSecond, signal, progress } = options;
  const label = cameras === 1 ? "1 camera" : `${cameras} cameras`;
  const cpuStart = await sampleCpu({ senders: [] }, ticksPerSecond);
  progress(`${label}: starting the senders, the receiver and Chromium together`);
  const startedAt = wallClock();
  let browser: Browser | undefined;
  let station: BenchStation | undefined;
  const launching = launchChromium().then((launched) => {
    browser = launched;
    return wallClock();
  });
  // The page opens as soon as the receiver listens and Chromium is up.
  let opening: Promise<ScreenPage> | undefined;
  try {
    const [started, launched] = await Promise.allSettled([
      startStation({
        cameras,
        senderArgs: ["--source", clip.path, "--loop", "--copy"],
        viewerSeconds: seconds + 30,
        startedAt,
        signal,
        onListening: (url) => {
          opening = launching.then(() => openScreenPage(browser!, `${url}grid.html`));
          // Awaited below, unless the start failed: then that failure is the one thrown.
          opening.catch(() => {});
        },
      }),
      launching,
    ]);
    if (started.status === "fulfilled") station = started.value;
    if (started.status === "rejected") throw started.reason;
    if (launched.status === "rejected") throw launched.reason;
    const tools: RunTools = {
      senders: station!.senders.map((sender) => sender.child.pid),
      receiver: station!.receiver.child.pid,
    };
    const { url } = station!;
    // Taken on time whatever the page does meanwhile; its moment ends the start-up.
    const cold = delay(Math.max(0, startedAt + COLD_START_SECONDS * 1000 - wallClock()), signal)
      .then(() => Promise.all([sampleCpu(tools, ticksPerSecond), stationStats(url)]));
    // Awaited below; if the page fails first, its failure is the one thrown.
    cold.catch(() => {});
    const screen = await opening!;
    const [cpuCold, statsCold] = await cold;
    progress(`${label}: measuring until ${seconds} s from the start`);
    await delay(Math.max(0, startedAt + seconds * 1000 - wallClock()), signal);
    const cpuEnd = await sampleCpu(tools, ticksPerSecond);
    const receiverRssMB = await residentMB(tools.receiver!);
    const receiverClockOffsetMs = await receiverClockOffset(url);
    const statsEnd = await stationStats(url);
    const paints = await screen.paints();
    const tiles = await screen.tiles();
    const pageLatency: Record<string, { samples: number }> = {};
    for (const camera of statsEnd.cameras) {
      pageLatency[camera.name] = await screen.gridLatency(camera.name);
    }
    if (station!.viewer.error !== undefined) throw station!.viewer.error;
    return {
      ...summarizeScreen({
        cameras,
        startedAt,
        coldEndsAt: cpuCold.at,
        endedAt: cpuEnd.at,
        startup: {
          browser: launched.value,
          receiverListening: station!.receiverListening.at,
          sendersListening: station!.sendersListeningAt,
          pageLoaded: screen.loadedAt,
        },
        viewerPath: station!.viewerPath,
        parts: station!.viewer.parts,
        paints,
        tiles,
        reports: screen.reports,
        pageLatency,
        stats: { cold: statsCold, end: statsEnd },
        cpu: { start: cpuStart, cold: cpuCold, end: cpuEnd },
        pageErrors: screen.errors,
        receiverRssMB,
        receiverClockOffsetMs,
      }),
      browser: browser!.version(),
    };
  } finally {
    // A launch still under way when the start failed is waited for, then closed.
    await launching.catch(() => {});
    await browser?.close();
    await station?.stop();
  }
}

/** What the bench reads of a camera of `/stats`. */
interface StatsCamera {
  name: string;
  framesReceived: number;
  framesDropped: Record<string, number>;
  latencyMs: { p50?: number };
  screenLatencyMs?: { p50?: number; p99?: number; samples: number };
}

/** `/stats` of every camera of the receiver at `url`. */
async function stationStats(url: string): Promise<StationStats> {
  const at = wallClock();
  const stats = await receiverStats(url) as unknown as {
    cameras?: StatsCamera[];
    grid?: { framesServed: number; framesSkipped: number };
  };
  const cameras: CameraStats[] = (stats.cameras ?? []).map((camera) => ({
    name: camera.name,
    framesReceived: camera.framesReceived,
    framesDropped: Object.values(camera.framesDropped).reduce((sum, count) => sum + count, 0),
    latencyP50: camera.latencyMs.p50 ?? null,
    screenLatency: {
      p50: camera.screenLatencyMs?.p50 ?? null,
      p99: camera.screenLatencyMs?.p99 ?? null,
      samples: camera.screenLatencyMs?.samples ?? 0,
    },
  }));
  const grid = stats.grid === undefined
    ? null
    : { framesServed: stats.grid.framesServed, framesSkipped: stats.grid.framesSkipped };
  return { at, cameras, grid };
}
