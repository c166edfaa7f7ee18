/**
 * The highest-rate rows of the transport part: the clip's frames played
 * faster and faster, until under 0.1 % of them no longer reach the end,
 * for udpcam (sender → receiver → HTTP viewer) and for GStreamer's RTP/JPEG.
 *
 * @module
 */
import { freeUdpPort, ToolProcess } from "../../tests/_tool.ts";
import { delay } from "./abortable.ts";
import type { BenchClip } from "./bench_clip.ts";
import { countGstFrames, GST_LAUNCH, gstReceiverArgs, gstSenderArgs } from "./gstreamer.ts";
import { rateClip } from "./rate_clip.ts";
import { stopTool } from "./stop_tool.ts";
import { startViewer } from "./viewer.ts";
import { wallClock } from "../../lib/util/clock.ts";
import { waitListening } from "./wait_listening.ts";

/** The share of frames that may be lost at a rate that counts as carried. */
export const MAX_LOSS = 0.001;
/** The first rate tried, in frames a second. */
export const FIRST_RATE = 30;
/** The rate after which no faster one is tried. */
export const LAST_RATE = 3840;
/** How long each clip plays, in seconds. */
export const RATE_CLIP_SECONDS = 10;
/** When udpcam's window begins and ends, in seconds from its start. */
const WINDOW = { from: 2, to: 9.5 };

/** What one rate gave. */
export interface RateStep {
  rate: number;
  /** Frames the source made over the measured span. */
  expected: number;
  /** Of those, frames that reached the end. */
  delivered: number;
  /** `1 - delivered / expected`. */
  loss: number;
}

/** One transport's highest rate on one clip. */
export interface HighestRate {
  transport: "udpcam" | "gstreamer";
  size: string;
  meanFrameBytes: number;
  /** The highest rate carried with under {@linkcode MAX_LOSS} lost; 0 if not even the first. */
  highest: number;
  /** Whether {@linkcode LAST_RATE} was carried, so the highest is no limit. */
  capped: boolean;
  steps: RateStep[];
}

/** Whether a step carried its rate. */
export function carried(step: RateStep): boolean {
  return step.loss < MAX_LOSS;
}

/**
 * The rates to try, given those tried so far: doubling from
 * {@linkcode FIRST_RATE} until one fails, then twice between the last
 * carried and the first failed (a factor of about 1.19 apart at the end);
 * `undefined` when done.
 */
export function nextRate(steps: readonly RateStep[]): number | undefined {
  if (steps.length === 0) return FIRST_RATE;
  const passed = steps.filter(carried).map((s) => s.rate);
  const failed = steps.filter((s) => !carried(s)).map((s) => s.rate);
  const best = passed.length === 0 ? 0 : Math.max(...passed);
  if (failed.length === 0) return best >= LAST_RATE ? undefined : Math.min(best * 2, LAST_RATE);
  const worst = Math.min(...failed);
  if (best === 0) return undefined;
  const between = Math.round(Math.sqrt(best * worst));
  // Twice between: then the step is under 1.2.
  if (worst / best < 1.2 || between <= best || between >= worst) return undefined;
  return between;
}

/** Options for {@linkcode highestRate}. */
export interface HighestRateOptions {
  /** Where rate clips are written, and removed. */
  dir: string;
  signal: AbortSignal;
  progress: (message: string) => void;
}

/** Finds the highest rate `transport` carries `clip` at, by {@linkcode nextRate}. */
export async function highestRate(
  transport: HighestRate["transport"],
  clip: BenchClip,
  options: HighestRateOptions,
): Promise<HighestRate> {
  const steps: RateStep[] = [];
  for (let rate = nextRate(steps); rate !== undefined; rate = nextRate(steps)) {
    const frames = Math.round(rate * RATE_CLIP_SECONDS);
    const path = await rateClip(clip, rate, frames, options.dir);
    try {
      const step = transport === "udpcam"
        ? await udpcamAt(path, rate, options.signal)
        : await gstreamerAt(path, rate, clip, options.signal);
      steps.push(step);
      options.progress(
        `${transport} ${clip.size.width}x${clip.size.height} at ${rate} fps: ` +
          `${step.delivered} of ${step.expected} frames, ${(step.loss * 100).toFixed(2)} % lost`,
      );
    } finally {
      await Deno.remove(path);
    }
  }
  const passed = steps.filter(carried).map((s) => s.rate);
  const highest = passed.length === 0 ? 0 : Math.max(...passed);
  return {
    transport,
    size: `${clip.size.width}x${clip.size.height}`,
    meanFrameBytes: clip.meanFrameBytes,
    highest,
    capped: highest >= LAST_RATE,
    steps,
  };
}

/**
 * udpcam's sender playing `clip` once, passed through, a receiver and an
 * HTTP viewer of it, started together. Over the window, the frames the
 * viewer got against those the sender read from ffmpeg at `rate` between the
 * first and the last of them (by their `X-Timestamp`): a frame skipped by
 * the sender, lost on the way, dropped by the receiver or passed over for a
 * slow viewer is missing either way.
 */
async function udpcamAt(clip: string, rate: number, signal: AbortSignal): Promise<RateStep> {
  const port = freeUdpPort();
  const started = wallClock();
  const sender = new ToolProcess("sender", [
    "--source",
    clip,
    "--copy",
    "--adapt",
    "off",
    "--listen",
    `127.0.0.1:${port}`,
  ]);
  const receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
  try {
    const [line] = await Promise.all([
      waitListening(receiver, { tool: "receiver", signal }),
      waitListening(sender, { tool: "sender", signal }),
    ]);
    const viewer = startViewer(String(line.url), WINDOW.to * 1000);
    await delay(Math.max(0, started + WINDOW.to * 1000 - wallClock()), signal);
    await viewer.done;
    const parts = viewer.parts.filter((part) => part.readAt >= started + WINDOW.from * 1000);
    if (parts.length < 2) return { rate, expected: 1, delivered: 0, loss: 1 };
    const span = parts[parts.length - 1].captureTime - parts[0].captureTime;
    const expected = Math.round((span / 1000) * rate) + 1;
    const delivered = Math.min(parts.length, expected);
    return { rate, expected, delivered, loss: 1 - delivered / expected };
  } finally {
    await stopTool(receiver);
    await stopTool(sender);
  }
}

/**
 * GStreamer's receiver, then its sender playing `clip` once. The receiver's
 * last average rate since its first frame against `rate`: each frame lost
 * takes 1/`rate` of a second off it. (Its frame count is at most 100 ms
 * old, so the count itself would miss the last ones.) Its socket's drops
 * count as frames lost too.
 */
async function gstreamerAt(
  clip: string,
  rate: number,
  source: BenchClip,
  signal: AbortSignal,
): Promise<RateStep> {
  const port = freeUdpPort();
  const receiver = new Deno.Command(GST_LAUNCH, {
    args: gstReceiverArgs(port, undefined, source.size),
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const count = countGstFrames(receiver.stdout);
  let drops = 0;
  try {
    // Its socket bound before the first datagram comes.
    await delay(500, signal);
    const sent = await new Deno.Command(GST_LAUNCH, {
      args: gstSenderArgs(clip, port),
      stdout: "null",
      stderr: "null",
      signal,
    }).output();
    if (!sent.success) throw new Error(`GStreamer's sender failed on ${clip}`);
    await delay(300, signal);
    drops = await socketDrops(port);
  } finally {
    receiver.kill("SIGTERM");
    await receiver.status;
    await count.done;
  }
  if (count.frames === 0 || count.average === 0) {
    return { rate, expected: 1, delivered: 0, loss: 1 };
  }
  const { frames, average } = count;
  // Over the span the average covers, `frames` came of `frames / average * rate`.
  const expected = Math.max(frames, Math.round((frames / average) * rate));
  // rtpjpegdepay gives out a frame that lost a datagram all the same, broken:
  // each datagram the socket dropped is taken as a frame lost.
  const delivered = Math.max(0, frames - drops);
  return { rate, expected, delivered, loss: 1 - delivered / expected };
}

/** The datagrams the kernel dropped for want of room on the UDP socket bound to 127.0.0.1:`port`. */
export async function socketDrops(port: number): Promise<number> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of (await Deno.readTextFile("/proc/net/udp")).split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local) return Number(fields[fields.length - 1]);
  }
  return 0;
}
