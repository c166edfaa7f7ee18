import { wallClock } from "../../lib/util/clock.ts";
import { delay } from "./abortable.ts";
import type { BenchClip } from "./bench_clip.ts";
import { COLD_START_SECONDS, fpsBetween } from "./cold_start.ts";
import { cpuTimeMs } from "./cpu_time.ts";
import { IdleLagProbe } from "./idle_lag_probe.ts";
import { readLoopLag, senderLoopLag } from "./loop_lag.ts";
import { type ReceiverStats, receiverStats, waitLive } from "./receiver_stats.ts";
import { startPair } from "./start_pair.ts";
import { type SizeResult, type Snapshot, summarize } from "./summarize.ts";

/** Options for {@linkcode measureSize}. */
export interface MeasureOptions {
  /** Seconds measured. */
  seconds: number;
  /** Seconds streamed to the viewer before measuring. */
  warmupSeconds: number;
  /** Clock ticks a second in `/proc/PID/stat`. */
  ticksPerSecond: number;
  /** Aborts the measurement; both tools are stopped all the same. */
  signal: AbortSignal;
  /** Seal the stream with this key. @default none, in the clear */
  key?: string;
}

/**
 * Starts a sender of `clip` and a receiver of it on 127.0.0.1 at the same
 * moment, with an HTTP viewer reading `/stream.mjpg` as soon as the receiver
 * listens, and measures one window once the stream has been live for
 * `warmupSeconds`; fps over the first 5 s from that moment, a cold start, is
 * measured apart. Both tools are stopped with SIGTERM (SIGKILL if they
 * linger) and awaited before it returns or throws.
 */
export async function measureSize(clip: BenchClip, options: MeasureOptions): Promise<SizeResult> {
  const { seconds, warmupSeconds, ticksPerSecond, signal } = options;
  const key = options.key === undefined ? [] : ["--key", options.key];
  const idle = new IdleLagProbe();
  let pair;
  try {
    pair = await startPair({
      senderArgs: ["--source", clip.path, "--loop", "--copy", ...key],
      receiverArgs: key,
      viewerSeconds: COLD_START_SECONDS + warmupSeconds + seconds + 30,
      signal,
    });
  } catch (error) {
    await idle.stop();
    throw error;
  }
  try {
    const { sender, receiver, viewer, url, startedAt } = pair;
    await waitLive(url, { signal });
    const pids = { sender: sender.child.pid, receiver: receiver.child.pid };
    await delay(warmupSeconds * 1000, signal);
    const start = await snapshot(url, { pids, ticksPerSecond });
    await delay(seconds * 1000, signal);
    const end = await snapshot(url, { pids, ticksPerSecond });
    const coldEnd = startedAt + COLD_START_SECONDS * 1000;
    await delay(Math.max(0, coldEnd - wallClock()), signal);
    if (viewer.error !== undefined) throw viewer.error;
    return {
      ...summarize(clip, { start, end, parts: viewer.parts }),
      sealed: key.length > 0,
      coldStartFps: fpsBetween(viewer.parts, startedAt, coldEnd),
      loopLagMs: {
        sender: senderLoopLag(sender.events),
        receiver: readLoopLag(end.stats.eventLoopLagMs),
        idle: await idle.stop(),
      },
    };
  } finally {
    await pair.stop();
    await idle.stop();
  }
}

async function snapshot(
  url: string,
  options: { pids: { sender: number; receiver: number }; ticksPerSecond: number },
): Promise<Snapshot> {
  const { pids, ticksPerSecond } = options;
  const at = wallClock();
  const senderCpuMs = cpuTimeMs(pids.sender, ticksPerSecond);
  const receiverCpuMs = cpuTimeMs(pids.receiver, ticksPerSecond);
  const stats: ReceiverStats = await receiverStats(url);
  return { at, senderCpuMs, receiverCpuMs, stats };
}
