/**
 * The bench, in seven parts:
 * - sizes: for each frame size, streams a camera-like MJPEG clip from a
 *   sender to a receiver on this machine, reads `/stream.mjpg` as an HTTP
 *   viewer, and measures delivered fps, bitrate, CPU per frame and latency;
 * - loss: streams a 720p clip through the impairment relay on each link of
 *   the loss matrix, with recovery on and off and FEC on and off, from a cold
 *   start, and measures whole frames delivered, fps over the first 5 s and
 *   after, overhead, latency and the quality held at the end;
 * - transients: streams a 720p clip through the relay, and after 8 s stops
 *   one tool for 1 s, blacks the link out, steps its delay up or caps it,
 *   and measures the frames lost and how soon the stream is back to full;
 * - soak: streams a 720p clip to a receiver and its HTTP viewer for 10
 *   minutes, samples both tools every 10 s (RSS, descriptors and threads from
 *   /proc; JS heap, live timers and Deno resources from a census preloaded
 *   into each), and judges that memory stays flat and that nothing grows;
 * - overlay: what `sender --overlay` costs on a 720p clip at 30 fps, by
 *   ffmpeg's drawtext in the sender and by drawing in-process on raw frames,
 *   each beside the same route without text: delivered fps and CPU.
 * - transport: the CPU a 1080p frame costs udpcam's sender and receiver,
 *   beside GStreamer's RTP/JPEG on the same clip and MTU, clear and sealed
 *   (SRTP AES-128-GCM against `--key`), measured one after another;
 * - screen: the latency to the screen in headless Chromium, 720p at 30 fps,
 *   one camera, then nine senders joined by one receiver, each from a cold
 *   start: the grid page's capture to paint against an HTTP client's capture
 *   to read, frames painted a second, and each process's CPU.
 * Each prints as a markdown table (or JSON with `--json`).
 *
 *   deno task bench                          all seven parts (about 58 minutes)
 *   deno task bench --only sizes --sizes 1920x1080 --seconds 30 --json
 *   deno task bench --only loss --rows clean,loss5 --loss-seconds 20
 *   deno task bench --only sizes,soak --soak-seconds 300
 *   deno task bench --only overlay
 *   deno task bench --only transients
 *   deno task bench --only transport --seconds 20
 *   deno task bench --only screen --screen-seconds 30
 *
 * Linux only (CPU times come from /proc). A missed target is a result, not a
 * failure: the exit code is 0 unless ffmpeg (or, for the transport part,
 * GStreamer; for the screen part, Chromium) is missing or a tool cannot start.
 *
 * @module
 */
import { ExitCode, exitWithError, UsageError } from "../lib/cli/cli_error.ts";
import { BENCH_HELP, type BenchArgs, parseBenchArgs } from "./bench/bench_args.ts";
import {
  benchClip,
  CLIP_FPS,
  CLIP_NOISE,
  CLIP_QSCALE,
  CLIP_SECONDS,
  loopedClip,
} from "./bench/bench_clip.ts";
import { clockTicks } from "./bench/cpu_time.ts";
import { FfmpegMissingError, hostInfo } from "./bench/host_info.ts";
import { measureSize } from "./bench/measure_size.ts";
import { type BenchReport, formatReport } from "./bench/report.ts";
import { formatLossReport, judge, judgeColdStart, withoutRecovery } from "./bench/loss_report.ts";
import { runLossMatrix } from "./bench/loss_matrix.ts";
import { LOSS_ROWS } from "./bench/loss_rows.ts";
import { BENCH_OVERLAY, measureOverlay } from "./bench/overlay.ts";
import { formatOverlayReport, type OverlayReport } from "./bench/overlay_report.ts";
import { runSoak } from "./bench/soak.ts";
import { runTransients } from "./bench/transients.ts";
import { formatTransientReport, judgeTransient } from "./bench/transient_report.ts";
import { formatSoakReport, judgeSoak, resolveSoakLimits } from "./bench/soak_report.ts";
import type { SizeResult } from "./bench/summarize.ts";
import { checkTargets, TARGET_SOURCE } from "./bench/targets.ts";
import { GstreamerMissingError, gstreamerVersion } from "./bench/gstreamer.ts";
import { measureTransports } from "./bench/transport.ts";
import { formatTransportReport } from "./bench/transport_report.ts";
import { formatRateReport } from "./bench/rate_report.ts";
import { ChromiumMissingError, requireChromium } from "./bench/launch_chromium.ts";
import { COLD_START_SECONDS } from "./bench/cold_start.ts";
import { measureScreen } from "./bench/measure_screen.ts";
import { formatScreenReport, judgeScreen } from "./bench/screen_report.ts";
import { type HighestRate, highestRate } from "./bench/highest_rate.ts";

/** The key of the sealed runs. */
const BENCH_KEY = "the bench's key, long enough not to be warned about";

/** Seconds streamed to the viewer before each window. */
const WARMUP_SECONDS = 2;

/** Everything one bench run found: the parts' reports, and the overlay part's. */

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
    console.log(args.json ? JSON.stringify(report, null, 2) : formatBench(report));
  } catch (error) {
    // Every tool has been stopped by now: only this process is left to end.
    if (controller.signal.aborted) exitWithError("interrupted", 130);
    const code = error instanceof FfmpegMissingError || error instanceof GstreamerMissingError ||
        error instanceof ChromiumMissingError
      ? ExitCode.MISSING_DEPENDENCY
      : ExitCode.FAILURE;
    exitWithError(String(error instanceof Error ? error.message : error).split("\n")[0], code);
  } finally {
    for (const name of signals) Deno.removeSignalListener(name, onSignal);
  }
}

/** The screen part's frame size. */
const SCREEN_SIZE = { width: 1280, height: 720 };

/** How many cameras each run of the screen part joins: one, then stations of four and nine. */
const SCREEN_CAMERAS = [1, 4, 9];

/** The sizes of the highest-rate rows. */
const RATE_SIZES = [{ width: 1920, height: 1080 }, { width: 3840, height: 2160 }];

/** GStreamer's and udpcam's highest rate on each of {@linkcode RATE_SIZES}. */
async function highestRates(signal: AbortSignal): Promise<HighestRate[]> {
  const rows: HighestRate[] = [];
  const dir = await Deno.makeTempDir({ prefix: "udpcam-rates-" });
  try {
    for (const size of RATE_SIZES) {
      const clip = await benchClip(size);
      for (const transport of ["gstreamer", "udpcam"] as const) {
        rows.push(
          await highestRate(transport, clip, {
            dir,
            signal,
            progress: (message) => progress(`highest rate: ${message}`),
          }),
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return rows;
}

function formatBench(report: BenchReport): string {
  const parts = [];
  if (report.results.length > 0) parts.push(formatReport(report));
  if (report.loss !== undefined) {
    parts.push(`Loss matrix:\n\n${formatLossReport(report.loss.results, report.loss.seconds)}`);
  }
  if (report.transients !== undefined) {
    parts.push(`Transients:\n\n${formatTransientReport(report.transients)}`);
  }
  if (report.soak !== undefined) parts.push(`Soak:\n\n${formatSoakReport(report.soak)}`);
  if (report.overlay !== undefined) {
    parts.push(`Overlay:\n\n${formatOverlayReport(report.overlay, report)}`);
  }
  if (report.transport !== undefined) {
    const { size, gstreamer, results, rates } = report.transport;
    const options = { size, gstreamer, seconds: report.seconds, warmupSeconds: WARMUP_SECONDS };
    parts.push(`Transport:\n\n${formatTransportReport(results, options)}`);
    parts.push(`Highest rate:\n\n${formatRateReport(rates)}`);
  }
  if (report.screen !== undefined) parts.push(`Screen:\n\n${formatScreenReport(report.screen)}`);
  return parts.join("\n\n");
}

/**
 * Measures each size in turn, then the loss matrix, then the transients, then
 * the soak, then the overlay, then the transports, then the screen, one run
 * at a time.
 */
async function runBench(
  args: BenchArgs,
  argv: string[],
  signal: AbortSignal,
): Promise<BenchReport> {
  const host = await hostInfo();
  // Before any part runs: a missing peer stops the bench at once, not after
  // the other parts, and a ratio against nothing is never printed.
  const gstreamer = args.only.includes("transport") ? await gstreamerVersion() : undefined;
  if (args.only.includes("screen")) await requireChromium();
  const ticks = await clockTicks();
  const results: SizeResult[] = [];
  for (const size of args.only.includes("sizes") ? args.sizes : []) {
    const name = `${size.width}x${size.height}`;
    progress(`${name}: preparing the clip`);
    const clip = await benchClip(size);
    signal.throwIfAborted();
    progress(
      `${name}: ${(clip.meanFrameBytes / 1000).toFixed(1)} KB a frame; ` +
        `measuring ${args.seconds} s after ${WARMUP_SECONDS} s of warm-up`,
    );
    // In the clear, then sealed, one after the other: the ratio is the cost of a key.
    for (const key of [undefined, BENCH_KEY]) {
      results.push(
        await measureSize(clip, {
          seconds: args.seconds,
          warmupSeconds: WARMUP_SECONDS,
          ticksPerSecond: ticks.perSecond,
          signal,
          key,
        }),
      );
    }
  }
  let loss: BenchReport["loss"];
  if (args.only.includes("loss")) {
    const clip = await benchClip({ width: 1280, height: 720 });
    const rows = args.rows === undefined
      ? LOSS_ROWS
      : LOSS_ROWS.filter((row) => args.rows!.includes(row.id));
    const matrix = await runLossMatrix(clip, {
      rows,
      seconds: args.lossSeconds,
      signal,
      progress: (message) => progress(`loss matrix: ${message}`),
    });
    loss = {
      seconds: args.lossSeconds,
      results: matrix.map((result) => ({
        ...result,
        verdict: judge(result, withoutRecovery(matrix, result)),
        coldStartVerdict: judgeColdStart(result),
      })),
    };
  }
  let transients: BenchReport["transients"];
  if (args.only.includes("transients")) {
    const clip = await benchClip({ width: 1280, height: 720 });
    const results = await runTransients(clip, {
      signal,
      progress: (message) => progress(`transients: ${message}`),
    });
    transients = results.map((result) => ({ ...result, verdict: judgeTransient(result) }));
  }
  let soak: BenchReport["soak"];
  if (args.only.includes("soak")) {
    const clip = await benchClip({ width: 1280, height: 720 });
    progress(`soak: ${args.soakSeconds} s of 1280x720, sampled every 10 s`);
    const run = await runSoak(clip, {
      seconds: args.soakSeconds,
      signal,
      progress: (message) => progress(`soak: ${message}`),
    });
    const limits = resolveSoakLimits(run.seconds);
    soak = {
      ...run,
      limits,
      judgements: {
        sender: judgeSoak(run.samples.sender, limits),
        receiver: judgeSoak(run.samples.receiver, limits),
      },
    };
  }
  let overlay: OverlayReport | undefined;
  if (args.only.includes("overlay")) {
    const size = { width: 1280, height: 720 };
    const clip = await benchClip(size);
    progress(`overlay: ${args.overlaySeconds} s a run after ${WARMUP_SECONDS} s of warm-up`);
    const runs = await measureOverlay(clip, {
      seconds: args.overlaySeconds,
      warmupSeconds: WARMUP_SECONDS,
      ticksPerSecond: ticks.perSecond,
      signal,
      progress: (message) => progress(`overlay: ${message}`),
    });
    overlay = {
      size,
      fps: CLIP_FPS,
      text: BENCH_OVERLAY,
      warmupSeconds: WARMUP_SECONDS,
      seconds: args.overlaySeconds,
      results: runs,
    };
  }
  let transport: BenchReport["transport"];
  // Known only when the transport part was asked for.
  if (gstreamer !== undefined) {
    const size = { width: 1920, height: 1080 };
    const clip = await benchClip(size);
    // Long enough for the warm-up, the window and the start, played once through.
    const times = Math.ceil((WARMUP_SECONDS + args.seconds + 10) / CLIP_SECONDS);
    const long = await loopedClip(clip, times);
    const results = await measureTransports(clip, long, {
      seconds: args.seconds,
      warmupSeconds: WARMUP_SECONDS,
      ticksPerSecond: ticks.perSecond,
      key: BENCH_KEY,
      signal,
      progress: (message) => progress(`transport: ${message}`),
    });
    const rates = await highestRates(signal);
    transport = { size: "1920x1080", gstreamer, results, rates };
  }
  let screen: BenchReport["screen"];
  if (args.only.includes("screen")) {
    const clip = await benchClip(SCREEN_SIZE);
    const results = [];
    for (const cameras of SCREEN_CAMERAS) {
      const result = await measureScreen(clip, {
        cameras,
        seconds: args.screenSeconds,
        ticksPerSecond: ticks.perSecond,
        signal,
        progress: (message) => progress(`screen: ${message}`),
      });
      results.push({ ...result, verdict: judgeScreen(result) });
    }
    screen = {
      size: `${SCREEN_SIZE.width}x${SCREEN_SIZE.height}`,
      fps: CLIP_FPS,
      seconds: args.screenSeconds,
      coldStartSeconds: COLD_START_SECONDS,
      results,
    };
  }
  const target = results.find((result) => result.source === TARGET_SOURCE && !result.sealed);
  return {
    command: ["deno", "run", "-A", "scripts/bench.ts", ...argv].join(" "),
    host,
    clockTicks: ticks,
    clip: { fps: CLIP_FPS, seconds: CLIP_SECONDS, noise: CLIP_NOISE, qscale: CLIP_QSCALE },
    warmupSeconds: WARMUP_SECONDS,
    seconds: args.seconds,
    results,
    targets: target === undefined ? undefined : checkTargets(target),
    loss,
    transients,
    soak,
    overlay,
    transport,
    screen,
  };
}

function progress(message: string): void {
  console.error(`bench: ${message}`);
}

if (import.meta.main) await main(Deno.args);
