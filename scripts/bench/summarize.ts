import type { BenchClip } from "./bench_clip.ts";
import type { LoopLag } from "./loop_lag.ts";
import { percentile } from "./percentile.ts";
import type { ReceiverStats } from "./receiver_stats.ts";
import type { ViewedPart } from "./viewer.ts";

/** The tools' counters at one moment. */
export interface Snapshot {
  /** When, on this process's wall clock (ms). */
  at: number;
  /** The sender's CPU time so far, ms. */
  senderCpuMs: number;
  /** The receiver's CPU time so far, ms. */
  receiverCpuMs: number;
  /** The receiver's `/stats`. */
  stats: ReceiverStats;
}

/** What one size measured, over one window. */
export interface SizeResult {
  /** The frame size, as `WxH`. */
  source: string;
  /** Whether the stream was sealed with a key. */
  sealed: boolean;
  /** The clip's mean JPEG size, in KB of 1000 bytes. */
  meanFrameKB: number;
  /** The window's length, in seconds. */
  seconds: number;
  /** Parts the viewer read a second. */
  fps: number;
  /** JPEG bytes the viewer read, in Mbit/s. */
  mbps: number;
  /** Sender CPU time per frame received, ms (ffmpeg not counted). */
  senderCpuMsPerFrame: number;
  /** Receiver CPU time per frame received, ms. */
  receiverCpuMsPerFrame: number;
  /** Both together. */
  totalCpuMsPerFrame: number;
  /** From the sender reading the frame from ffmpeg to the viewer reading it, ms. */
  latencyMs: { p50: number; p99: number; min: number; max: number };
  /** Frames the receiver put back together. */
  framesReceived: number;
  /** Parts the viewer read. */
  framesDelivered: number;
  /** Frames the receiver lost or gave up, all reasons. */
  framesDropped: number;
  /** Fragments that never reached the receiver. */
  packetsLost: number;
  /** Frames the receiver skipped for the viewer because a newer one was ready. */
  viewerSkipped: number;
  /** Parts the viewer read a second over the first 5 s from the moment both tools started. */
  coldStartFps: number;
  /**
   * Each tool's event-loop lag, ms, as it last reported it (the sender in its
   * latest `stats` event, the receiver in `/stats` at the window's end);
   * undefined where a tool does not report it; `idle`, an idle process's
   * over the same time, what the machine alone causes.
   */
  loopLagMs: {
    sender: LoopLag | undefined;
    receiver: LoopLag | undefined;
    idle: LoopLag | undefined;
  };
}

/** One measurement window. */
export interface Window {
  /** The counters when it opened. */
  start: Snapshot;
  /** The counters when it closed. */
  end: Snapshot;
  /** The parts the viewer read, within the window and around it. */
  parts: ViewedPart[];
}

/** Turns a window's counters at both ends, and the parts read within it, into a result. */
export function summarize(
  clip: BenchClip,
  window: Window,
): Omit<SizeResult, "sealed" | "coldStartFps" | "loopLagMs"> {
  const { start, end, parts } = window;
  const seconds = (end.at - start.at) / 1000;
  const inWindow = parts.filter((part) => part.readAt >= start.at && part.readAt < end.at);
  const latencies = inWindow.map((part) => part.readAt - part.captureTime).sort((a, b) => a - b);
  const bytes = inWindow.reduce((sum, part) => sum + part.bytes, 0);
  const framesReceived = end.stats.framesReceived - start.stats.framesReceived;
  const sender = (end.senderCpuMs - start.senderCpuMs) / framesReceived;
  const receiver = (end.receiverCpuMs - start.receiverCpuMs) / framesReceived;
  return {
    source: `${clip.size.width}x${clip.size.height}`,
    meanFrameKB: clip.meanFrameBytes / 1000,
    seconds,
    fps: inWindow.length / seconds,
    mbps: (bytes * 8) / seconds / 1e6,
    senderCpuMsPerFrame: sender,
    receiverCpuMsPerFrame: receiver,
    totalCpuMsPerFrame: sender + receiver,
    latencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      min: latencies[0] ?? NaN,
      max: latencies.at(-1) ?? NaN,
    },
    framesReceived,
    framesDelivered: inWindow.length,
    framesDropped: dropped(end.stats) - dropped(start.stats),
    packetsLost: end.stats.packetsLost - start.stats.packetsLost,
    viewerSkipped: end.stats.preview.framesSkipped - start.stats.preview.framesSkipped,
  };
}

function dropped(stats: ReceiverStats): number {
  return Object.values(stats.framesDropped).reduce((sum, count) => sum + count, 0);
}
