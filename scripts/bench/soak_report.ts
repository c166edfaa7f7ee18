import { fixed, signed } from "./report.ts";
import { leastSquaresSlope, type Point } from "./least_squares.ts";
import type { ProcessSample } from "./process_sample.ts";
import type { SoakRun } from "./soak.ts";

/** The series of a {@linkcode ProcessSample} that are judged. */
export type SoakSeries = "rssMB" | "heapMB" | "fds" | "threads" | "timers" | "resources";

/** Memory series, in MB: judged by how much they grow. */
const MEMORY: readonly SoakSeries[] = ["rssMB", "heapMB"];
/** Counts: judged by their highs. */
const COUNTS: readonly SoakSeries[] = ["fds", "threads", "timers", "resources"];

const NAMES: Record<SoakSeries, string> = {
  rssMB: "RSS",
  heapMB: "JS heap",
  fds: "fds",
  threads: "threads",
  timers: "timers",
  resources: "resources",
};

/** How {@linkcode judgeSoak} judges. */
export interface SoakLimits {
  /** Seconds left out at the start. @default {10 % of the run, at most 60} */
  warmupSeconds?: number;
  /** MB that memory may grow over the run. @default {10} */
  maxGrowthMB?: number;
  /** How far a count's high in the last third may exceed its high in the first. @default {2} */
  countTolerance?: number;
}

/** One series of one process, judged. */
export interface SeriesJudgement {
  /** The first sample, warm-up included; null when not measured. */
  start: number | null;
  /** The last sample; null when not measured. */
  end: number | null;
  /** The least-squares slope after the warm-up, per minute; null when not measured. */
  slopePerMinute: number | null;
  /** Whether it stayed flat; null when not measured. */
  flat: boolean | null;
}

/** One process over a soak, judged. */
export interface SoakJudgement {
  /** Whether memory stayed flat and no count grew. */
  ok: boolean;
  /** What grew, in words; empty when ok. */
  growth: string[];
  /** Seconds left out at the start. */
  warmupSeconds: number;
  /** Each series. */
  series: Record<SoakSeries, SeriesJudgement>;
}

/** `limits` with the defaults for a run of `runSeconds` filled in. */
export function resolveSoakLimits(
  runSeconds: number,
  limits: SoakLimits = {},
): Required<SoakLimits> {
  return {
    // V8 and the allocator take a few minutes to reach their working set: a
    // third of the run, and at least a minute of a long one.
    warmupSeconds: limits.warmupSeconds ?? Math.max(Math.min(60, runSeconds / 10), runSeconds / 3),
    maxGrowthMB: limits.maxGrowthMB ?? 10,
    countTolerance: limits.countTolerance ?? 2,
  };
}

/**
 * Judges one process's samples, in time order, after a warm-up. Memory (RSS
 * and JS heap) is judged by its floor: the least of each window of a minute
 * (or a fifth of what follows the warm-up, if shorter), which is where garbage
 * collection brings it back to; a leak raises the floor, collection's saw
 * tooth does not. It is flat when the least-squares line through the floors
 * grows less than `maxGrowthMB` over the whole run, and the last floor is less
 * than `maxGrowthMB` above the first. Falling is never growth.
 * A count (fds, threads, timers, resources) does not grow when its high in
 * the last third is at most its high in the first third plus `countTolerance`.
 * A series with no value (no census) is not judged. Throws a `RangeError`
 * with fewer than 3 samples after the warm-up.
 */
export function judgeSoak(
  samples: readonly ProcessSample[],
  limits: SoakLimits = {},
): SoakJudgement {
  const runSeconds = samples.at(-1)?.t ?? 0;
  const { warmupSeconds, maxGrowthMB, countTolerance } = resolveSoakLimits(runSeconds, limits);
  const after = samples.filter((sample) => sample.t >= warmupSeconds);
  if (after.length < 3) {
    throw new RangeError(`the soak needs 3 samples after the warm-up, got ${after.length}`);
  }
  const growth: string[] = [];
  const series = {} as Record<SoakSeries, SeriesJudgement>;
  for (const name of [...MEMORY, ...COUNTS]) {
    const all = points(samples, name);
    const memory = MEMORY.includes(name);
    const judged = memory ? floors(points(after, name)) : points(after, name);
    const slope = judged.length < 3 ? NaN : leastSquaresSlope(judged);
    let flat: boolean | null = null;
    if (judged.length >= 3) {
      const words = memory
        ? memoryGrowth(judged, { slope, runSeconds, maxGrowthMB })
        : countGrowth(judged, countTolerance);
      flat = words === undefined;
      if (words !== undefined) growth.push(`${NAMES[name]} ${words}`);
    }
    series[name] = {
      start: all[0]?.y ?? null,
      end: all.at(-1)?.y ?? null,
      slopePerMinute: Number.isFinite(slope) ? slope * 60 : null,
      flat,
    };
  }
  return { ok: growth.length === 0, growth, warmupSeconds, series };
}

function points(samples: readonly ProcessSample[], name: SoakSeries): Point[] {
  return samples.flatMap((sample) => {
    const y = sample[name];
    return y === null ? [] : [{ x: sample.t, y }];
  });
}

/** Why a memory series grew, or undefined if it did not. */
function memoryGrowth(
  judged: Point[],
  options: { slope: number; runSeconds: number; maxGrowthMB: number },
): string | undefined {
  const { slope, runSeconds, maxGrowthMB } = options;
  const fitted = slope * runSeconds;
  if (fitted >= maxGrowthMB) {
    return `grew ${fixed(fitted, 1)} MB over the run by the least-squares line of its floors ` +
      `(${fixed(slope * 60, 2)} MB/min; limit ${maxGrowthMB} MB)`;
  }
  const first = judged[0].y;
  const last = judged.at(-1)!.y;
  if (last - first >= maxGrowthMB) {
    return `its floor ended ${fixed(last - first, 1)} MB above where it was after the warm-up ` +
      `(limit ${maxGrowthMB} MB)`;
  }
  return undefined;
}

/**
 * The least value of each window of `points`, at the window's middle: a
 * minute, or a fifth of their span if that is shorter.
 */
export function floors(points: Point[]): Point[] {
  if (points.length === 0) return [];
  const from = points[0].x;
  const span = points.at(-1)!.x - from;
  const window = Math.min(60, span / 5) || 1;
  const lows = new Map<number, number>();
  for (const p of points) {
    const slot = Math.min(
      Math.floor((p.x - from) / window),
      Math.max(0, Math.ceil(span / window) - 1),
    );
    lows.set(slot, Math.min(lows.get(slot) ?? Infinity, p.y));
  }
  return [...lows].map(([slot, y]) => ({ x: from + (slot + 0.5) * window, y }));
}

/** Why a count grew, or undefined if it did not. */
function countGrowth(judged: Point[], tolerance: number): string | undefined {
  const third = Math.ceil(judged.length / 3);
  const firstHigh = Math.max(...judged.slice(0, third).map((p) => p.y));
  const lastHigh = Math.max(...judged.slice(-third).map((p) => p.y));
  if (lastHigh <= firstHigh + tolerance) return undefined;
  return `rose to ${lastHigh} in the last third from at most ${firstHigh} in the first ` +
    `(tolerance ${tolerance})`;
}

/** A soak as the bench reports it: the run, how it was judged, and each tool judged. */
export interface SoakReport extends SoakRun {
  /** The limits both tools were judged by. */
  limits: Required<SoakLimits>;
  /** Each tool's samples, judged. */
  judgements: { sender: SoakJudgement; receiver: SoakJudgement };
}

const COLUMNS: Array<[string, SoakSeries, number]> = [
  ["RSS MB", "rssMB", 1],
  ["JS heap MB", "heapMB", 1],
  ["fds", "fds", 0],
  ["threads", "threads", 0],
  ["timers", "timers", 0],
  ["resources", "resources", 0],
];

/** The soak as markdown: how it was run and judged, what was delivered, one row a tool. */
export function formatSoakReport(soak: SoakReport): string {
  const { limits } = soak;
  const header = [
    "process",
    ...COLUMNS.map(([name]) => name),
    "RSS MB/min",
    "heap MB/min",
    "verdict",
  ];
  const lines = [
    `- Run: a 1280x720 camera-like clip at 30 fps, passed through by the sender (--copy), to ` +
    `a receiver on this machine, with an HTTP viewer on /stream.mjpg throughout; ` +
    `${soak.seconds} s, each tool sampled every ${soak.sampleSeconds} s`,
    `- Delivered: ${fixed(soak.fps, 1)} fps to the viewer, ${soak.framesDelivered} frames; ` +
    `the receiver completed ${soak.framesReceived}, dropped ${soak.framesDropped}, skipped ` +
    `${soak.viewerSkipped} for the viewer`,
    `- RSS and threads from /proc/PID/status, fds from /proc/PID/fd; JS heap used, live timers ` +
    `(setTimeout/setInterval not yet fired or cleared) and open Deno resources from the census ` +
    `preloaded into each tool (scripts/bench/census.ts); MB of 10^6 bytes; start → end`,
    `- Judged after ${fixed(limits.warmupSeconds, 0)} s of warm-up, on each minute's floor ` +
    `(its least sample, where garbage collection brings it back to): memory (RSS, JS heap) is ` +
    `flat if the least-squares line through its floors grows less than ${limits.maxGrowthMB} ` +
    `MB over the run and its last floor is less than ${limits.maxGrowthMB} MB above its ` +
    `first; a count does not grow if its high in the last third is at most its high in the ` +
    `first third + ${limits.countTolerance}`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${
      header.map((name) => (name === "process" || name === "verdict" ? "---" : "---:")).join(" | ")
    } |`,
  ];
  for (const tool of ["sender", "receiver"] as const) {
    const judgement = soak.judgements[tool];
    const { series } = judgement;
    const cells = [
      tool,
      ...COLUMNS.map(([, name, digits]) =>
        `${fixed(series[name].start, digits)} → ${fixed(series[name].end, digits)}`
      ),
      signed(series.rssMB.slopePerMinute),
      signed(series.heapMB.slopePerMinute),
      judgement.ok ? "flat" : `GROWS: ${judgement.growth.join("; ")}`,
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
