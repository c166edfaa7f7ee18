import { fixed } from "./report.ts";
import type { Percentiles } from "./latency_percentiles.ts";
import type { ScreenResult, ScreenSpan } from "./summarize_screen.ts";

/** Frames a second every camera must paint, from the end of the start-up on, of 30 sent. */
export const PAINT_TARGET_FPS = 29;

/** Whether a run kept up with the cameras, and why, in words. */
export interface ScreenVerdict {
  keptUp: boolean;
  text: string;
}

/** The screen part as `--json` prints it. */
export interface ScreenReport {
  /** The clip's size, `WxH`, and its frames a second. */
  size: string;
  fps: number;
  /** Seconds each run lasts, from its start. */
  seconds: number;
  /** Seconds from the start counted as start-up. */
  coldStartSeconds: number;
  results: Array<ScreenResult & { verdict: ScreenVerdict }>;
}

/**
 * Whether every camera painted at least {@linkcode PAINT_TARGET_FPS} frames a
 * second after the start-up; if not, how many, against how many the
 * receiver completed (short of it too: frames were lost before the page),
 * where frames were skipped, and how busy the machine and each process were.
 */
export function judgeScreen(result: ScreenResult): ScreenVerdict {
  const after = result.spans[1];
  const from = `from ${after.from.toFixed(1)} s on`;
  const painted = after.paintedFps.min;
  if (painted >= PAINT_TARGET_FPS) {
    return {
      keptUp: true,
      text: `kept up: every camera painted >= ${PAINT_TARGET_FPS} fps ${from} ` +
        `(lowest ${fixed(painted, 1)})`,
    };
  }
  const received = after.receiverFps;
  const short = received.min < PAINT_TARGET_FPS ? `, itself short of ${PAINT_TARGET_FPS}` : "";
  const { gridSkipped, pageSkipped } = result.frames;
  return {
    keptUp: false,
    text: `NOT kept up: the lowest camera painted ${fixed(painted, 1)} fps ${from} ` +
      `(mean ${fixed(after.paintedFps.mean, 1)}) against ${PAINT_TARGET_FPS} wanted, of the ` +
      `${fixed(received.mean, 1)} fps a camera the receiver completed (lowest ` +
      `${fixed(received.min, 1)}${short}); skipped for a newer frame over the run: ` +
      `${gridSkipped ?? "?"} in grid.mjpg (the page took them too slowly), ${pageSkipped} in ` +
      `the page (decoding slower than they came); CPU ${cpuWords(after)}`,
  };
}

function cpuWords(span: ScreenSpan): string {
  const cpu = span.cpuPercent;
  return `% of one CPU: the machine ${fixed(cpu.machine, 0)}, Chromium ${fixed(cpu.chromium, 0)} ` +
    `(renderer ${fixed(cpu.renderer, 0)}), receiver ${fixed(cpu.receiver, 0)}, ` +
    `each sender ${fixed(cpu.senderEach.mean, 0)} (ffmpeg ${fixed(cpu.ffmpeg, 0)} in all), ` +
    `bench ${fixed(cpu.bench, 0)}`;
}

const COLUMNS: Array<[string, (r: ScreenResult, s: ScreenSpan, first: boolean) => string]> = [
  ["cameras", (r) => String(r.cameras)],
  ["span", (_, s) => `${s.from.toFixed(1)}-${s.to.toFixed(1)} s`],
  ["painted fps a camera, mean / lowest", (_, s) => pair(s.paintedFps.mean, s.paintedFps.min, 1)],
  [
    "receiver fps a camera, mean / lowest",
    (_, s) => pair(s.receiverFps.mean, s.receiverFps.min, 1),
  ],
  ["HTTP viewer fps", (_, s) => fixed(s.viewerFps, 1)],
  [
    "capture → receiver p50 ms, median / worst camera",
    (r, _, first) =>
      first ? pair(r.receiverLatencyP50Ms.median, r.receiverLatencyP50Ms.max, 1) : "",
  ],
  ["capture → HTTP read p50 / p99 ms", (_, s) => percentiles(s.httpLatencyMs)],
  ["capture → paint p50 / p99 ms", (_, s) => percentiles(s.paintLatencyMs)],
  ["first frame painted ms", (r, _, first) => first ? fixed(r.startupMs.firstPaint, 0) : ""],
  [
    "sender CPU % each, mean / max",
    (_, s) => pair(s.cpuPercent.senderEach.mean, s.cpuPercent.senderEach.max, 0),
  ],
  ["ffmpeg CPU % in all", (_, s) => fixed(s.cpuPercent.ffmpeg, 0)],
  ["receiver CPU %", (_, s) => fixed(s.cpuPercent.receiver, 0)],
  [
    "Chromium CPU % (renderer)",
    (_, s) => `${fixed(s.cpuPercent.chromium, 0)} (${fixed(s.cpuPercent.renderer, 0)})`,
  ],
  ["bench CPU %", (_, s) => fixed(s.cpuPercent.bench, 0)],
  ["machine CPU %", (_, s) => fixed(s.cpuPercent.machine, 0)],
  ["receiver RSS MB at the end", (r, _, first) => first ? "" : fixed(r.receiverRssMB, 0)],
];

/** The screen part as markdown: how it was measured, a row a run and span, then each run's notes. */
export function formatScreenReport(report: ScreenReport): string {
  const browser = report.results[0]?.browser ?? "Chromium";
  const lines = [
    `- Source: each sender streams the bench clip, ${report.size} at ${report.fps} fps ` +
    `(--source FILE --loop --copy), to one receiver on 127.0.0.1; one camera is joined as ` +
    `today (\`receiver HOST:PORT\`), nine as a station (\`cam1=HOST:PORT ...\`)`,
    `- Screen: headless ${browser} (--disable-gpu), one tab on the receiver's grid page ` +
    "(`/grid.html`, the grid whatever the count)",
    `- Cold start: the senders, the receiver and Chromium started at the same moment, the ` +
    `page opened as soon as the receiver and Chromium were up; each run is read from then ` +
    `to ${report.seconds} s, and apart from the end of the start-up ` +
    `(${report.coldStartSeconds} s) to the end`,
    "- Painted fps: a tile's `data-painted` going up (a frame presented), timed in the page",
    "- Receiver fps: /stats framesReceived of each camera; capture → receiver: /stats " +
    "latencyMs.p50 at the end (its last 1,024 frames)",
    "- Capture → HTTP read: one client reading the first camera's MJPEG stream " +
    "(`/stream.mjpg`, or `/cam/cam1/stream.mjpg`), the time it read a part minus its X-Timestamp, " +
    "the reader's clock set against the receiver's by its `/time` (as the page does)",
    "- Capture → paint: the samples the page measured (its X-Timestamp, set against the " +
    "receiver's clock by /time, to the animation frame after the one that drew it) and " +
    "reported to /screen-latency, every camera together; after the start-up, the reports " +
    "sent from 2 s after it (a report carries the 2 s before it)",
    "- CPU: utime+stime of all threads from /proc/PID/stat over the span, % of one CPU; " +
    "Chromium: every process under the bench that is Chromium's; machine: /proc/stat, " +
    "every process on it",
    "",
    row(COLUMNS.map(([name]) => name)),
    row(COLUMNS.map(([name]) => (name === "span" ? "---" : "---:"))),
    ...report.results.flatMap((result) =>
      result.spans.map((span, i) => row(COLUMNS.map(([, cell]) => cell(result, span, i === 0))))
    ),
    "",
    ...report.results.flatMap(notes),
  ];
  return lines.join("\n");
}

/** A run's verdict, start-up, last 10 s and page errors, a line each. */
function notes(result: ScreenResult & { verdict: ScreenVerdict }): string[] {
  const name = result.cameras === 1 ? "1 camera" : `${result.cameras} cameras`;
  const s = result.startupMs;
  const last = result.last10s;
  const f = result.frames;
  const lines = [
    `- ${name}: ${result.verdict.text}`,
    `- ${name}, start-up, ms from the start: Chromium up ${fixed(s.browser, 0)}, receiver ` +
    `listening ${fixed(s.receiverListening, 0)}, senders' first frame ${
      fixed(s.sendersListening, 0)
    }, page parsed ${fixed(s.pageLoaded, 0)}, first frame painted ${fixed(s.firstPaint, 0)}, ` +
    `every camera painted ${fixed(s.allPainted, 0)}`,
    `- ${name}, last 10 s, capture → paint p50 / p99 ms: the page's gridLatency ${
      percentiles(last.page)
    } (p50 the cameras' median, p99 the worst camera's; ${last.page.samples} samples), ` +
    `/stats screenLatencyMs ${percentiles(last.stats)} (likewise; ${last.stats.samples}), ` +
    `the page's reports ${percentiles(last.reports)} (all together; ${last.reports.samples}); ` +
    `capture → HTTP read ${percentiles(last.http)} (${last.http.samples})`,
    `- ${name}, frames over the run, every camera: the receiver dropped ` +
    `${f.receiverDropped}; grid.mjpg served ${f.gridServed ?? "?"} and skipped ` +
    `${f.gridSkipped ?? "?"}; the page painted ${f.painted}, skipped ${f.pageSkipped}, could ` +
    `not decode ${f.broken}`,
  ];
  if (result.pageErrors.length > 0) {
    lines.push(
      `- ${name}: the page logged ${result.pageErrors.length} errors, the first: ` +
        result.pageErrors[0],
    );
  }
  return lines;
}

function percentiles(p: Percentiles): string {
  return pair(p.p50, p.p99, 1);
}

function pair(a: number | null, b: number | null, digits: number): string {
  return `${fixed(a, digits)} / ${fixed(b, digits)}`;
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}
