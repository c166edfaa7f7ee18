import { wallClock } from "../../lib/clock.ts";
import { ToolProcess } from "../../tests/_tool.ts";
import { delay } from "./abortable.ts";
import type { BenchClip } from "./bench_clip.ts";
import { cpuTimeMs } from "./cpu_time.ts";
import { type ReceiverStats, receiverStats, waitLive } from "./receiver_stats.ts";
import { type SizeResult, type Snapshot, summarize } from "./summarize.ts";
import { startViewer, type Viewer } from "./viewer.ts";
import { stopTool } from "./stop_tool.ts";
import { waitListening } from "./wait_listening.ts";

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
 * Streams `clip` from a sender to a receiver on 127.0.0.1, with an HTTP viewer
 * reading `/stream.mjpg`, and measures one window. Both tools are stopped with
 * SIGTERM (SIGKILL if they linger) and awaited before it returns or throws.
 */
export async function measureSize(clip: BenchClip, options: MeasureOptions): Promise<SizeResult> {
  const { seconds, warmupSeconds, ticksPerSecond, signal } = options;
  const key = options.key === undefined ? [] : ["--key", options.key];
  const running: ToolProcess[] = [];
  let viewer: Viewer | undefined;
  try {
    const sender = new ToolProcess("sender", [
      "--source",
      clip.path,
      "--loop",
      "--copy",
      "--listen",
      "127.0.0.1:0",
      ...key,
    ]);
    running.push(sender);
    const address = String((await waitListening(sender, { tool: "sender", signal })).address);
    const port = address.slice(address.lastIndexOf(":") + 1);
    const receiver = new ToolProcess("receiver", [
      `127.0.0.1:${port}`,
      "--http",
      "127.0.0.1:0",
      ...key,
    ]);
    running.unshift(receiver);
    const url = String((await waitListening(receiver, { tool: "receiver", signal })).url);
    await waitLive(url, { signal });

    viewer = startViewer(url, (warmupSeconds + seconds + 5) * 1000);
    const pids = { sender: sender.child.pid, receiver: receiver.child.pid };
    await delay(warmupSeconds * 1000, signal);
    const start = await snapshot(url, { pids, ticksPerSecond });
    await delay(seconds * 1000, signal);
    const end = await snapshot(url, { pids, ticksPerSecond });
    if (viewer.error !== undefined) throw viewer.error;
    return { ...summarize(clip, { start, end, parts: viewer.parts }), sealed: key.length > 0 };
  } finally {
    // The receiver first, so that it says goodbye to a sender still there.
    for (const tool of running) await stopTool(tool);
    await viewer?.done;
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
