import assert from "node:assert/strict";
import { UsageError } from "../../lib/cli/cli_error.ts";
import { BENCH_HELP, parseBenchArgs } from "../../scripts/bench/bench_args.ts";
import type { CpuSample, ProcessCpu } from "../../scripts/bench/cpu_sample.ts";
import { formatScreenReport, judgeScreen } from "../../scripts/bench/screen_report.ts";
import { acrossCameras, percentiles } from "../../scripts/bench/latency_percentiles.ts";
import type { ScreenRun } from "../../scripts/bench/screen_run.ts";
import { type ScreenResult, summarizeScreen } from "../../scripts/bench/summarize_screen.ts";

/** When the made-up run starts, ms since the epoch. */
const T0 = 1_000_000;

/** Every `stepMs` from `from` (ms after the start) up to 10 s. */
function every(stepMs: number, from: number): number[] {
  const times = [];
  for (let at = T0 + from; at < T0 + 10_000; at += stepMs) times.push(at);
  return times;
}

function cpu(at: number, busyMs: number, processes: Array<[number, ProcessCpu["role"], number]>) {
  return {
    at: T0 + at,
    processes: processes.map(([pid, role, cpuMs]) => ({ pid, role, label: role, cpuMs })),
    machine: { busyMs, totalMs: 2 * (T0 + at) },
  } satisfies CpuSample;
}

/**
 * A run of two cameras, 10 s from the start, the start-up 5 s: cam1 painted
 * at 25 fps from 1 s, cam2 at 10 fps from 2 s; the receiver completed 30 fps
 * of each after the start-up.
 */
function run(): ScreenRun {
  const camera = (name: string, framesReceived: number, latencyP50: number) => ({
    name,
    framesReceived,
    framesDropped: name === "cam1" ? 1 : 2,
    latencyP50,
    screenLatency: name === "cam1"
      ? { p50: 40, p99: 60, samples: 4 }
      : { p50: 50, p99: 70, samples: 2 },
  });
  return {
    cameras: 2,
    startedAt: T0,
    coldEndsAt: T0 + 5_000,
    endedAt: T0 + 10_000,
    startup: {
      browser: T0 + 400,
      receiverListening: T0 + 700,
      sendersListening: T0 + 650,
      pageLoaded: T0 + 900,
    },
    viewerPath: "cam/cam1/stream.mjpg",
    parts: [
      { readAt: T0 + 500, captureTime: T0 + 495, bytes: 1 },
      { readAt: T0 + 6_000, captureTime: T0 + 5_997, bytes: 1 },
      { readAt: T0 + 9_000, captureTime: T0 + 8_993, bytes: 1 },
    ],
    paints: { cam1: every(40, 1_000), cam2: every(100, 2_000) },
    tiles: {
      cam1: { painted: 225, skipped: 5, broken: 0 },
      cam2: { painted: 80, skipped: 150, broken: 1 },
    },
    reports: [
      { at: T0 + 3_000, camera: "cam1", ms: [10, 20] },
      { at: T0 + 3_000, camera: "cam2", ms: [30] },
      // Its samples may be from before the start-up's end: not in the span after it.
      { at: T0 + 6_000, camera: "cam1", ms: [40] },
      { at: T0 + 7_500, camera: "cam1", ms: [50, 60] },
      { at: T0 + 7_500, camera: "cam2", ms: [70] },
    ],
    pageLatency: { cam1: { p50: 41, p99: 61, samples: 5 }, cam2: { samples: 0 } },
    stats: {
      cold: {
        at: T0 + 5_000,
        cameras: [camera("cam1", 120, 2), camera("cam2", 100, 4)],
        grid: { framesServed: 200, framesSkipped: 5 },
      },
      end: {
        at: T0 + 10_000,
        cameras: [camera("cam1", 270, 2), camera("cam2", 250, 4)],
        grid: { framesServed: 500, framesSkipped: 20 },
      },
    },
    cpu: {
      start: cpu(0, 0, [[1, "bench", 1_000]]),
      cold: cpu(5_000, 8_000, [
        [1, "bench", 1_500],
        [10, "sender", 250],
        [11, "sender", 500],
        [12, "ffmpeg", 100],
        [20, "receiver", 1_000],
        [30, "chromium", 2_000],
        [31, "renderer", 1_000],
      ]),
      end: cpu(10_000, 17_000, [
        [1, "bench", 2_000],
        [10, "sender", 500],
        [11, "sender", 1_000],
        [12, "ffmpeg", 200],
        [20, "receiver", 1_500],
        [30, "chromium", 3_000],
        [31, "renderer", 2_500],
      ]),
    },
    pageErrors: [],
    receiverRssMB: 120,
    receiverClockOffsetMs: 0,
  };
}

function result(): ScreenResult {
  return { ...summarizeScreen(run()), browser: "Chromium 1.2.3" };
}

Deno.test("summarizeScreen() reads paints, reports and the viewer from the start and after the start-up", () => {
  const { spans, startupMs, byCamera } = result();
  assert.deepEqual(startupMs, {
    browser: 400,
    receiverListening: 700,
    sendersListening: 650,
    pageLoaded: 900,
    firstPaint: 1_000,
    allPainted: 2_000,
  });
  assert.deepEqual(byCamera, {
    cam1: { paintedFps: [22.5, 25], firstPaintMs: 1_000 },
    cam2: { paintedFps: [8, 10], firstPaintMs: 2_000 },
  });
  const [all, after] = spans;
  assert.deepEqual([all.from, all.to, after.from, after.to], [0, 10, 5, 10]);
  assert.deepEqual(all.paintedFps, { mean: 15.25, min: 8 });
  assert.deepEqual(after.paintedFps, { mean: 17.5, min: 10 });
  // Nothing before the start; 150 frames of each in the 5 s after the start-up.
  assert.deepEqual(all.receiverFps, { mean: 26, min: 25 });
  assert.deepEqual(after.receiverFps, { mean: 30, min: 30 });
  assert.deepEqual([all.viewerFps, after.viewerFps], [0.3, 0.4]);
  assert.deepEqual(all.httpLatencyMs, { p50: 5, p99: 7, samples: 3 });
  assert.deepEqual(after.httpLatencyMs, { p50: 3, p99: 7, samples: 2 });
  // Every camera's samples together; after the start-up, the reports from 2 s after it.
  assert.deepEqual(all.paintLatencyMs, { p50: 40, p99: 70, samples: 7 });
  assert.deepEqual(after.paintLatencyMs, { p50: 60, p99: 70, samples: 3 });
});

Deno.test("summarizeScreen() sets the HTTP reader's clock against the receiver's, as the page does", () => {
  // The receiver's clock 100 ms ahead of the bench's: read on the bench's, each part came 100 ms sooner.
  const ahead = summarizeScreen({ ...run(), receiverClockOffsetMs: 100 });
  assert.deepEqual(ahead.spans[0].httpLatencyMs, { p50: 105, p99: 107, samples: 3 });
});

Deno.test("summarizeScreen() reads CPU over each span, a process new since its start from zero", () => {
  const [all, after] = result().spans;
  assert.deepEqual(all.cpuPercent, {
    senderEach: { mean: 7.5, min: 5, max: 10 },
    ffmpeg: 2,
    receiver: 15,
    chromium: 55,
    renderer: 25,
    bench: 10,
    machine: 170,
  });
  assert.deepEqual(after.cpuPercent, {
    senderEach: { mean: 7.5, min: 5, max: 10 },
    ffmpeg: 2,
    receiver: 10,
    chromium: 50,
    renderer: 30,
    bench: 10,
    machine: 180,
  });
  assert.deepEqual(result().processes.find((process) => process.pid === 31)?.cpuPercent, [25, 30]);
});

Deno.test("summarizeScreen() sets the last 10 s of the page, /stats and the reports side by side", () => {
  const { last10s, receiverLatencyP50Ms, frames } = result();
  assert.deepEqual(last10s, {
    page: { p50: 41, p99: 61, samples: 5 },
    stats: { p50: 45, p99: 70, samples: 6 },
    reports: { p50: 40, p99: 70, samples: 7 },
    http: { p50: 5, p99: 7, samples: 3 },
  });
  assert.deepEqual(receiverLatencyP50Ms, { median: 3, max: 4 });
  assert.deepEqual(frames, {
    receiverDropped: 3,
    gridServed: 500,
    gridSkipped: 20,
    painted: 305,
    pageSkipped: 155,
    broken: 1,
  });
});

Deno.test("percentiles() and acrossCameras() take nearest ranks, null of nothing", () => {
  assert.deepEqual(percentiles([7, 3, 5]), { p50: 5, p99: 7, samples: 3 });
  assert.deepEqual(percentiles([]), { p50: null, p99: null, samples: 0 });
  assert.deepEqual(
    acrossCameras([
      { p50: 10, p99: 20, samples: 3 },
      { p50: 30, p99: 90, samples: 1 },
      { p50: 20, p99: 25, samples: 2 },
      { samples: 0 },
    ]),
    { p50: 20, p99: 90, samples: 6 },
  );
  assert.deepEqual(acrossCameras([{ samples: 0 }]), { p50: null, p99: null, samples: 0 });
});

Deno.test("judgeScreen() says a run kept up only if every camera painted 29 fps after the start-up", () => {
  const slow = judgeScreen(result());
  assert.equal(slow.keptUp, false);
  assert.match(slow.text, /^NOT kept up: the lowest camera painted 10\.0 fps from 5\.0 s on/);
  // Where the frames went: the receiver had them all.
  assert.match(slow.text, /of the 30\.0 fps a camera the receiver completed \(lowest 30\.0\)/);
  assert.match(slow.text, /20 in grid\.mjpg .*, 155 in the page/);
  assert.match(slow.text, /the machine 180, Chromium 50 \(renderer 30\), receiver 10/);

  const base = result();
  const [all, after] = base.spans;
  const kept = judgeScreen({
    ...base,
    spans: [all, { ...after, paintedFps: { mean: 30, min: 29 } }],
  });
  assert.deepEqual(kept, {
    keptUp: true,
    text: "kept up: every camera painted >= 29 fps from 5.0 s on (lowest 29.0)",
  });
  // Short before the page too: the receiver's shortfall is said.
  const starved = judgeScreen({
    ...base,
    spans: [all, { ...after, receiverFps: { mean: 20, min: 18 } }],
  });
  assert.match(starved.text, /receiver completed \(lowest 18\.0, itself short of 29\)/);
});

Deno.test("formatScreenReport() prints a row a span, start-up and receiver figures once a run", () => {
  const one = result();
  const text = formatScreenReport({
    size: "1280x720",
    fps: 30,
    seconds: 10,
    coldStartSeconds: 5,
    results: [{ ...one, verdict: judgeScreen(one) }],
  });
  const rows = text.split("\n").filter((line) => line.startsWith("| 2 |"));
  assert.deepEqual(rows, [
    "| 2 | 0.0-10.0 s | 15.3 / 8.0 | 26.0 / 25.0 | 0.3 | 3.0 / 4.0 | 5.0 / 7.0 | 40.0 / 70.0 " +
    "| 1000 | 8 / 10 | 2 | 15 | 55 (25) | 10 | 170 |  |",
    "| 2 | 5.0-10.0 s | 17.5 / 10.0 | 30.0 / 30.0 | 0.4 |  | 3.0 / 7.0 | 60.0 / 70.0 " +
    "|  | 8 / 10 | 2 | 10 | 50 (30) | 10 | 180 | 120 |",
  ]);
  assert.match(text, /headless Chromium 1\.2\.3/);
  assert.match(text, /- 2 cameras: NOT kept up/);
  assert.match(
    text,
    /- 2 cameras, start-up, ms from the start: Chromium up 400, receiver listening 700, senders' first frame 650, page parsed 900, first frame painted 1000, every camera painted 2000/,
  );
  assert.match(
    text,
    /the page's gridLatency 41\.0 \/ 61\.0 .*\/stats screenLatencyMs 45\.0 \/ 70\.0/,
  );
  assert.match(text, /the receiver dropped 3; grid\.mjpg served 500 and skipped 20/);
  assert.doesNotMatch(text, /errors/);
});

Deno.test("parseBenchArgs() runs the screen part alone with --only, for --screen-seconds from 6 s", () => {
  assert.deepEqual(parseBenchArgs(["--only", "screen"]).only, ["screen"]);
  assert.ok(parseBenchArgs([]).only.includes("screen"));
  assert.equal(parseBenchArgs([]).screenSeconds, 20);
  assert.equal(parseBenchArgs(["--screen-seconds", "6"]).screenSeconds, 6);
  assert.throws(() => parseBenchArgs(["--screen-seconds", "5"]), UsageError);
  assert.match(BENCH_HELP, /--screen-seconds N/);
  assert.match(BENCH_HELP, /transport, screen \(default all\)/);
});
