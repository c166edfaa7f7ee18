/**
 * The bench: for each frame size, streams a camera-like MJPEG clip from a
 * sender to a receiver on this machine, reads `/stream.mjpg` as an HTTP
 * viewer, and prints delivered fps, bitrate, CPU per frame and latency as a
 * markdown table (or JSON with `--json`).
 *
 *   deno task bench                          all sizes, 10 s each
 *   deno task bench --sizes 1920x1080 --seconds 30 --json
 *
 * Linux only (CPU times come from /proc). A missed target is a result, not a
 * failure: the exit code is 0 unless ffmpeg is missing or a tool cannot start.
 *
 * @module
 */
import { ExitCode, exitWithError, UsageError } from "../lib/cli_error.ts";
import { BENCH_HELP, type BenchArgs, parseBenchArgs } from "./bench/bench_args.ts";
import { benchClip, CLIP_FPS, CLIP_NOISE, CLIP_QSCALE, CLIP_SECONDS } from "./bench/bench_clip.ts";
import { clockTicks } from "./bench/cpu_time.ts";
import { FfmpegMissingError, hostInfo } from "./bench/host_info.ts";
import { measureSize } from "./bench/measure_size.ts";
import { type BenchReport, formatReport } from "./bench/report.ts";
import type { SizeResult } from "./bench/summarize.ts";
import { checkTargets, TARGET_SOURCE } from "./bench/targets.ts";

/** Seconds streamed to the viewer before each window. */
const WARMUP_SECONDS = 2;

async function main(argv: string[]): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    exitWithError(error.message, ExitCode.USAGE);
  }
  if (args.help) return console.log(BENCH_HELP);

  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error("interrupted"));
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const name of signals) Deno.addSignalListener(name, onSignal);
  try {
    const report = await runBench(args, argv, controller.signal);
    console.log(args.json ? JSON.stringify(report, null, 2) : formatReport(report));
  } catch (error) {
    // Every tool has been stopped by now: only this process is left to end.
    if (controller.signal.aborted) exitWithError("interrupted", 130);
    const code = error instanceof FfmpegMissingError
      ? ExitCode.MISSING_DEPENDENCY
      : ExitCode.FAILURE;
    exitWithError(String(error instanceof Error ? error.message : error).split("\n")[0], code);
  } finally {
    for (const name of signals) Deno.removeSignalListener(name, onSignal);
  }
}

/** Measures each size in turn, one sender and one receiver at a time. */
async function runBench(
  args: BenchArgs,
  argv: string[],
  signal: AbortSignal,
): Promise<BenchReport> {
  const host = await hostInfo();
  const ticks = await clockTicks();
  const results: SizeResult[] = [];
  for (const size of args.sizes) {
    const name = `${size.width}x${size.height}`;
    progress(`${name}: preparing the clip`);
    const clip = await benchClip(size);
    signal.throwIfAborted();
    progress(
      `${name}: ${(clip.meanFrameBytes / 1000).toFixed(1)} KB a frame; ` +
        `measuring ${args.seconds} s after ${WARMUP_SECONDS} s of warm-up`,
    );
    results.push(
      await measureSize(clip, {
        seconds: args.seconds,
        warmupSeconds: WARMUP_SECONDS,
        ticksPerSecond: ticks.perSecond,
        signal,
      }),
    );
  }
  const target = results.find((result) => result.source === TARGET_SOURCE);
  return {
    command: ["deno", "run", "-A", "scripts/bench.ts", ...argv].join(" "),
    host,
    clockTicks: ticks,
    clip: { fps: CLIP_FPS, seconds: CLIP_SECONDS, noise: CLIP_NOISE, qscale: CLIP_QSCALE },
    warmupSeconds: WARMUP_SECONDS,
    seconds: args.seconds,
    results,
    targets: target === undefined ? undefined : checkTargets(target),
  };
}

function progress(message: string): void {
  console.error(`bench: ${message}`);
}

if (import.meta.main) await main(Deno.args);
