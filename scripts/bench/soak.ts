import { wallClock } from "../../lib/util/clock.ts";
import { delay } from "./abortable.ts";
import type { BenchClip } from "./bench_clip.ts";
import { type CensusTool, startCensusTool } from "./census_tool.ts";
import { stopTool } from "./stop_tool.ts";
import { waitListening } from "./wait_listening.ts";
import { type ProcessSample, sampleProcess } from "./process_sample.ts";
import { type ReceiverStats, receiverStats, waitLive } from "./receiver_stats.ts";
import { startViewer, type Viewer } from "./viewer.ts";

/** Seconds between two samples of each process. */
export const SOAK_SAMPLE_SECONDS = 10;

/** Options for {@linkcode runSoak}. */
export interface SoakOptions {
  /** Seconds streamed, from the viewer's start. */
  seconds: number;
  /** Aborts the soak; both tools are stopped all the same. */
  signal: AbortSignal;
  /** Called about once a minute with how far it is. */
  progress: (message: string) => void;
}

/** What a soak measured: what was delivered, and each tool's samples. */
export interface SoakRun {
  /** Seconds streamed to the viewer. */
  seconds: number;
  /** Seconds between two samples. */
  sampleSeconds: number;
  /** Parts the viewer read a second, over the whole run. */
  fps: number;
  /** Parts the viewer read. */
  framesDelivered: number;
  /** Frames the receiver put back together. */
  framesReceived: number;
  /** Frames the receiver lost or gave up, all reasons. */
  framesDropped: number;
  /** Frames the receiver skipped for the viewer because a newer one was ready. */
  viewerSkipped: number;
  /** Each tool every {@linkcode SOAK_SAMPLE_SECONDS}, from 0 to the end. */
  samples: { sender: ProcessSample[]; receiver: ProcessSample[] };
}

/**
 * Streams `clip` from a sender to a receiver on 127.0.0.1 for `seconds`,
 * with an HTTP viewer reading `/stream.mjpg` all along, and samples both
 * tools every 10 s, each with the census preloaded. Both tools are stopped
 * with SIGTERM (SIGKILL if they linger) and awaited before it returns or throws.
 */
export async function runSoak(clip: BenchClip, options: SoakOptions): Promise<SoakRun> {
  const { seconds, signal, progress } = options;
  const dir = await Deno.makeTempDir({ prefix: "udpcam-soak-" });
  const running: CensusTool[] = [];
  let viewer: Viewer | undefined;
  try {
    const sender = startCensusTool("sender", [
      "--source",
      clip.path,
      "--loop",
      "--copy",
      "--listen",
      "127.0.0.1:0",
    ], `${dir}/sender.jsonl`);
    running.push(sender);
    const address = String(
      (await waitListening(sender.running, { tool: "sender", signal })).address,
    );
    const port = address.slice(address.lastIndexOf(":") + 1);
    const receiver = startCensusTool(
      "receiver",
      [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"],
      `${dir}/receiver.jsonl`,
    );
    running.unshift(receiver);
    const url = String(
      (await waitListening(receiver.running, { tool: "receiver", signal })).url,
    );
    await waitLive(url, { signal });

    viewer = startViewer(url, (seconds + 5) * 1000);
    const start = wallClock();
    const first: ReceiverStats = await receiverStats(url);
    const samples: SoakRun["samples"] = { sender: [], receiver: [] };
    for (const t of sampleTimes(seconds)) {
      await delay(Math.max(0, start + t * 1000 - wallClock()), signal);
      for (const [name, tool] of [["sender", sender], ["receiver", receiver]] as const) {
        samples[name].push(
          await sampleProcess(tool.running.child.pid, { t, censusPath: tool.censusPath }),
        );
      }
      if (viewer.error !== undefined) throw viewer.error;
      if (t > 0 && (t % 60 === 0 || t === seconds)) {
        progress(
          `${t} of ${seconds} s; RSS sender ${samples.sender.at(-1)!.rssMB.toFixed(1)} MB, ` +
            `receiver ${samples.receiver.at(-1)!.rssMB.toFixed(1)} MB`,
        );
      }
    }
    const last: ReceiverStats = await receiverStats(url);
    const end = wallClock();
    const parts = viewer.parts.filter((part) => part.readAt >= start && part.readAt < end);
    return {
      seconds,
      sampleSeconds: SOAK_SAMPLE_SECONDS,
      fps: (parts.length * 1000) / (end - start),
      framesDelivered: parts.length,
      framesReceived: last.framesReceived - first.framesReceived,
      framesDropped: dropped(last) - dropped(first),
      viewerSkipped: last.preview.framesSkipped - first.preview.framesSkipped,
      samples,
    };
  } finally {
    // The receiver first, so that it says goodbye to a sender still there.
    for (const tool of running) await stopTool(tool.running);
    await viewer?.done;
    await Deno.remove(dir, { recursive: true });
  }
}

/** 0, 10, 20, ... and `seconds` itself. */
function sampleTimes(seconds: number): number[] {
  const times = [];
  for (let t = 0; t < seconds; t += SOAK_SAMPLE_SECONDS) times.push(t);
  return [...times, seconds];
}

function dropped(stats: ReceiverStats): number {
  return Object.values(stats.framesDropped).reduce((sum, count) => sum + count, 0);
}
