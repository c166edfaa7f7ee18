/**
 * The bench's `overlay` part: what `sender --overlay` costs on frames from
 * ffmpeg, by two routes, each beside the same route without text:
 *
 * - drawtext: the sender itself, re-encoding the clip (no `--copy`), with and
 *   without `--overlay`; ffmpeg's drawtext filter draws the text. Frames are
 *   counted by a receiver on 127.0.0.1.
 * - in-process: `overlay_harness.ts`, with the sender's permissions, reads
 *   raw RGBA frames from ffmpeg, draws the text with lib/image/draw_text.ts and
 *   encodes each frame with imagescript, or with a second ffmpeg reading raw
 *   frames from a pipe. Frames are counted as they are encoded.
 *
 * CPU is user + system time of the measured process and every process under
 * it (its ffmpegs), from /proc/PID/stat; the receiver is not counted.
 *
 * @module
 */
import { runArgs } from "../permissions.ts";
import { ToolProcess } from "../../tests/_tool.ts";
import { delay } from "./abortable.ts";
import type { BenchClip } from "./bench_clip.ts";
import { cpuTimeMs } from "./cpu_time.ts";
import { descendants } from "./descendants.ts";
import type { HarnessEncoder } from "./overlay_harness.ts";
import { receiverStats, waitLive } from "./receiver_stats.ts";
import { stopTool } from "./stop_tool.ts";
import { waitListening } from "./wait_listening.ts";

/** The text every overlay run draws: every placeholder, as a camera would show them. */
export const BENCH_OVERLAY = "{host} {date} {time} {fps} fps";

/** How a run makes its frames. */
export type OverlayRoute = "drawtext" | "imagescript" | "imagescript+ffmpeg";

/** One run: a route, with or without the overlay. */
export interface OverlayResult {
  /** How frames were made. */
  route: OverlayRoute;
  /** Whether text was drawn. */
  overlay: boolean;
  /** Which processes the CPU time is of. */
  counted: string;
  /** The window's length, in seconds. */
  seconds: number;
  /** Frames made in the window. */
  frames: number;
  /** Frames a second. */
  fps: number;
  /** CPU time per frame, ms. */
  cpuMsPerFrame: number;
  /** CPU time over the window's time, in % of one core. */
  cpuPercent: number;
}

/** Options for {@linkcode measureOverlay}. */
export interface MeasureOverlayOptions {
  /** Seconds measured for each run. */
  seconds: number;
  /** Seconds of frames before each window. */
  warmupSeconds: number;
  /** Clock ticks a second in `/proc/PID/stat`. */
  ticksPerSecond: number;
  /** Aborts the measurement; every process is stopped all the same. */
  signal: AbortSignal;
  /** Says what runs next. */
  progress: (message: string) => void;
}

/** The runs, in order: each route without text, then with. */
const RUNS: Array<{ route: OverlayRoute; overlay: boolean }> = [
  { route: "drawtext", overlay: false },
  { route: "drawtext", overlay: true },
  { route: "imagescript", overlay: false },
  { route: "imagescript", overlay: true },
  { route: "imagescript+ffmpeg", overlay: false },
  { route: "imagescript+ffmpeg", overlay: true },
];

/** How long a harness gets to give its first frame. */
const START_TIMEOUT_MS = 20_000;

/** Runs every route on `clip`, with and without the overlay, one after the other. */
export async function measureOverlay(
  clip: BenchClip,
  options: MeasureOverlayOptions,
): Promise<OverlayResult[]> {
  const results: OverlayResult[] = [];
  for (const run of RUNS) {
    options.progress(`${run.route}, ${run.overlay ? "with" : "without"} the overlay`);
    results.push(
      run.route === "drawtext"
        ? await measureSender(clip, run.overlay, options)
        : await measureHarness(clip, { ...run, encoder: encoderOf(run.route) }, options),
    );
  }
  return results;
}

function encoderOf(route: OverlayRoute): HarnessEncoder {
  return route === "imagescript" ? "imagescript" : "ffmpeg";
}

/** What a window starts or ends with. */
interface Mark {
  /** `performance.now()`, ms. */
  at: number;
  /** Frames so far. */
  frames: number;
  /** CPU time so far of each process measured, ms. */
  cpuMs: Map<number, number>;
}

async function measureSender(
  clip: BenchClip,
  overlay: boolean,
  options: MeasureOverlayOptions,
): Promise<OverlayResult> {
  const { signal } = options;
  const running: ToolProcess[] = [];
  try {
    const sender = new ToolProcess("sender", [
      ...["--source", clip.path, "--loop", "--listen", "127.0.0.1:0", "--adapt", "off"],
      ...(overlay ? ["--overlay", BENCH_OVERLAY] : []),
    ]);
    running.push(sender);
    const address = String((await waitListening(sender, { tool: "sender", signal })).address);
    const port = address.slice(address.lastIndexOf(":") + 1);
    const receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
    running.unshift(receiver);
    const url = String((await waitListening(receiver, { tool: "receiver", signal })).url);
    await waitLive(url, { signal });
    const frames = async () => (await receiverStats(url)).framesReceived;
    return await measureWindow(sender.child.pid, frames, options, {
      route: "drawtext",
      overlay,
      counted: "sender + ffmpeg",
    });
  } finally {
    for (const tool of running) await stopTool(tool);
  }
}

async function measureHarness(
  clip: BenchClip,
  run: { route: OverlayRoute; overlay: boolean; encoder: HarnessEncoder },
  options: MeasureOverlayOptions,
): Promise<OverlayResult> {
  const harness = new Deno.Command(Deno.execPath(), {
    args: [
      ...runArgs("sender"),
      new URL("./overlay_harness.ts", import.meta.url).pathname,
      ...["--clip", clip.path, "--size", `${clip.size.width}x${clip.size.height}`],
      ...["--encoder", run.encoder],
      ...(run.overlay ? ["--overlay", BENCH_OVERLAY] : []),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let frames = 0;
  let stderr = "";
  const reading = Promise.all([
    (async () => {
      let buffered = "";
      for await (const chunk of harness.stdout.pipeThrough(new TextDecoderStream())) {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) frames = JSON.parse(line).frames;
      }
    })(),
    (async () => {
      for await (const chunk of harness.stderr.pipeThrough(new TextDecoderStream())) {
        stderr += chunk;
      }
    })(),
  ]);
  let exited = false;
  const status = harness.status.then((status) => {
    exited = true;
    return status;
  });
  try {
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (frames === 0) {
      if (exited || performance.now() > deadline) {
        throw new Error(`the overlay harness gave no frame: ${stderr.trim().split("\n").at(-1)}`);
      }
      await delay(100, options.signal);
    }
    const counted = run.encoder === "ffmpeg" ? "harness + 2 ffmpeg" : "harness + ffmpeg";
    return await measureWindow(harness.pid, () => Promise.resolve(frames), options, {
      route: run.route,
      overlay: run.overlay,
      counted,
    });
  } finally {
    if (!exited) harness.kill("SIGTERM");
    await status;
    await reading;
  }
}

/** Warms up, then measures one window of a process and the processes under it. */
async function measureWindow(
  pid: number,
  frames: () => Promise<number>,
  options: MeasureOverlayOptions,
  run: Pick<OverlayResult, "route" | "overlay" | "counted">,
): Promise<OverlayResult> {
  const { seconds, warmupSeconds, ticksPerSecond, signal } = options;
  await delay(warmupSeconds * 1000, signal);
  const pids = [pid, ...(await descendants(pid))];
  const mark = async (): Promise<Mark> => ({
    at: performance.now(),
    frames: await frames(),
    cpuMs: new Map(pids.map((id) => [id, cpuTimeMs(id, ticksPerSecond)])),
  });
  const start = await mark();
  await delay(seconds * 1000, signal);
  const end = await mark();
  const elapsedMs = end.at - start.at;
  const count = end.frames - start.frames;
  let cpuMs = 0;
  for (const id of pids) cpuMs += end.cpuMs.get(id)! - start.cpuMs.get(id)!;
  return {
    ...run,
    seconds: elapsedMs / 1000,
    frames: count,
    fps: count / (elapsedMs / 1000),
    cpuMsPerFrame: count > 0 ? cpuMs / count : NaN,
    cpuPercent: (cpuMs / elapsedMs) * 100,
  };
}
