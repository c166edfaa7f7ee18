import { wallClock } from "../../lib/clock.ts";
import { ToolProcess } from "../../tests/_tool.ts";
import { ImpairRelay, type ImpairRelayCounters } from "../impair/impair_relay.ts";
import type { LinkProfile } from "../impair/link_profile.ts";
import { delay } from "./abortable.ts";
import type { BenchClip } from "./bench_clip.ts";
import { BASE_LINK, type LossRow } from "./loss_rows.ts";
import { percentile } from "./percentile.ts";
import { type ReceiverStats, receiverStats, waitLive } from "./receiver_stats.ts";
import { stopTool } from "./stop_tool.ts";
import { startViewer, type Viewer } from "./viewer.ts";
import { waitListening } from "./wait_listening.ts";

/** How one run through the relay is set up. */
export interface LinkRunOptions {
  /** The clip the sender encodes, on a loop. */
  clip: BenchClip;
  /** The row of the matrix. */
  row: LossRow;
  /** The impairment of both directions, on top of {@linkcode BASE_LINK}. */
  link: LinkProfile;
  /** Whether the receiver asks for lost datagrams again. */
  nack: boolean;
  /** Fragments per parity datagram; 0 for none. */
  fec: number;
  /** Seconds measured. */
  seconds: number;
  /** Seconds after the stream is live and before measuring. */
  warmupSeconds: number;
  /** The relay's seed. */
  seed: number;
  /** Aborts the run; every tool is stopped all the same. */
  signal: AbortSignal;
}

/** What one run through the relay measured. */
export interface LinkResult {
  row: string;
  label: string;
  nack: boolean;
  fec: number;
  /** Whole frames shown over frames the receiver knew of (shown or given up), percent. */
  deliveredPercent: number;
  /** Whole frames a second the viewer read; for the cap row, from 10 s after going live. */
  fps: number;
  /** Bytes resent over bytes of first sends, percent. */
  resentPercent: number;
  /** Parity bytes over bytes of first sends, percent. */
  parityPercent: number;
  /** Capture to the viewer, ms; for the cap row, from 10 s after going live. */
  latencyMs: { p50: number; p99: number };
  /** The receiver's smoothed round-trip time at the end, ms. */
  rttMs: number;
  /** Mean Mbit/s the receiver got, of whole frames. */
  mbps: number;
  /** The least JPEG quality the sender adapted to. */
  lowestQuality: number;
  framesDelivered: number;
  framesDropped: Record<string, number>;
  relay: ImpairRelayCounters;
}

/**
 * Streams the clip from a sender, re-encoded as a camera would be, through
 * an impairment relay to a receiver, with an HTTP viewer on `/stream.mjpg`,
 * and measures one window. Every tool is stopped before it returns or throws.
 */
export async function measureLink(options: LinkRunOptions): Promise<LinkResult> {
  const { clip, row, nack, fec, seconds, warmupSeconds, signal } = options;
  const running: ToolProcess[] = [];
  let relay: ImpairRelay | undefined;
  let viewer: Viewer | undefined;
  let sender: ToolProcess | undefined;
  try {
    sender = new ToolProcess("sender", [
      "--source",
      clip.path,
      "--loop",
      "--listen",
      "127.0.0.1:0",
      "--fec",
      String(fec),
    ]);
    running.push(sender);
    const address = String((await waitListening(sender, { tool: "sender", signal })).address);
    const port = Number(address.slice(address.lastIndexOf(":") + 1));
    const profile = { ...BASE_LINK, ...options.link };
    relay = new ImpairRelay({
      listen: { hostname: "127.0.0.1", port: 0 },
      target: { hostname: "127.0.0.1", port },
      seed: options.seed,
      up: profile,
      down: profile,
    });
    const receiver = new ToolProcess("receiver", [
      `127.0.0.1:${relay.addr.port}`,
      "--http",
      "127.0.0.1:0",
      "--nack",
      nack ? "on" : "off",
    ]);
    running.unshift(receiver);
    const url = String((await waitListening(receiver, { tool: "receiver", signal })).url);
    await waitLive(url, { signal, timeoutMs: 30_000 });
    const liveAt = wallClock();
    viewer = startViewer(url, (warmupSeconds + seconds + 5) * 1000);
    await delay(warmupSeconds * 1000, signal);
    const start = await receiverStats(url);
    const windowStart = wallClock();
    await delay(seconds * 1000, signal);
    const end = await receiverStats(url);
    const windowEnd = wallClock();
    if (viewer.error !== undefined) throw viewer.error;
    await stopTool(receiver);
    running.shift();
    await stopTool(sender);
    running.pop();
    const stopped = sender.events.find((line) => line.event === "stopped");
    const sent = (stopped?.stats ?? {}) as Record<string, number>;
    const firstSends = sent.bytesSent - sent.resentBytes - sent.parityBytes;
    const fpsFrom = row.id === "cap" ? liveAt + 10_000 : windowStart;
    // The cap row is judged once the sender has had 10 s to adapt.
    const parts = viewer.parts.filter((part) => part.readAt >= fpsFrom && part.readAt <= windowEnd);
    const latencies = parts.map((part) => part.readAt - part.captureTime).sort((a, b) => a - b);
    const delivered = end.framesReceived - start.framesReceived;
    const dropped = droppedDelta(start, end);
    const droppedTotal = Object.values(dropped).reduce((sum, n) => sum + n, 0);
    const qualities = sender.events
      .filter((line) => line.event === "adapted" && typeof line.quality === "number")
      .map((line) => line.quality as number);
    return {
      row: row.id,
      label: row.label,
      nack,
      fec,
      deliveredPercent: (100 * delivered) / Math.max(1, delivered + droppedTotal),
      fps: (parts.length * 1000) / Math.max(1, windowEnd - fpsFrom),
      resentPercent: (100 * sent.resentBytes) / Math.max(1, firstSends),
      parityPercent: (100 * sent.parityBytes) / Math.max(1, firstSends),
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      rttMs: end.rttMs ?? NaN,
      mbps: (parts.reduce((sum, part) => sum + part.bytes, 0) * 8) /
        Math.max(1, windowEnd - fpsFrom) / 1000,
      lowestQuality: Math.min(80, ...qualities),
      framesDelivered: delivered,
      framesDropped: dropped,
      relay: relay.counters,
    };
  } finally {
    for (const tool of running) await stopTool(tool);
    await relay?.close();
    await viewer?.done;
  }
}

function droppedDelta(start: ReceiverStats, end: ReceiverStats): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [reason, count] of Object.entries(end.framesDropped)) {
    delta[reason] = count - (start.framesDropped as Record<string, number>)[reason];
  }
  return delta;
}
