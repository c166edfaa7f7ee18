import { wallClock } from "../../lib/util/clock.ts";
import type { ImpairRelayCounters } from "../impair/impair_relay.ts";
import type { LinkProfile } from "../impair/link_profile.ts";
import { delay } from "./abortable.ts";
import { readAdaptations, rungAt, TOP_QUALITY } from "./adaptation_log.ts";
import type { BenchClip } from "./bench_clip.ts";
import { COLD_START_SECONDS, firstFrameDelayMs, fpsBetween } from "./cold_start.ts";
import { BASE_LINK, type LossRow } from "./loss_rows.ts";
import { percentile } from "./percentile.ts";
import { receiverStats } from "./receiver_stats.ts";
import { startPair } from "./start_pair.ts";

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
  /** Seconds the run lasts, from the moment both tools start. */
  seconds: number;
  /** The relay's seed. */
  seed: number;
  /** Aborts the run; every tool is stopped all the same. */
  signal: AbortSignal;
}

/** The seconds from the start after which the cap row is judged: the sender's time to adapt. */
export const CAP_ADAPT_SECONDS = 10;

/** What one run through the relay measured, all of it from the moment both tools started. */
export interface LinkResult {
  row: string;
  label: string;
  nack: boolean;
  fec: number;
  /** Seconds the run lasted. */
  seconds: number;
  /** Whole frames shown over frames the receiver knew of (shown or given up), percent. */
  deliveredPercent: number;
  /** Whole frames a second the viewer read over the first 5 s: start-up. */
  fpsStart: number;
  /** Whole frames a second the viewer read from 5 s to the end. */
  fps: number;
  /** Whole frames a second the viewer read from 10 s to the end: the cap row's figure. */
  fpsAfterAdapting: number;
  /** Bytes resent over bytes of first sends, percent. */
  resentPercent: number;
  /** Parity bytes over bytes of first sends, percent. */
  parityPercent: number;
  /** Capture to the viewer, ms, over the run; for the cap row, from 10 s on. */
  latencyMs: { p50: number; p99: number };
  /** The receiver's smoothed round-trip time at the end, ms. */
  rttMs: number;
  /** Mean Mbit/s of whole frames the viewer read, from 5 s to the end (or over a shorter run). */
  mbps: number;
  /** From the sender's first frame to the receiver going live, ms; undefined if it never did. */
  firstFrameMs: number | undefined;
  /** The least JPEG quality the sender adapted to. */
  lowestQuality: number;
  /** The shared JPEG quality in force when the run ended. */
  endQuality: number;
  framesDelivered: number;
  framesDropped: Record<string, number>;
  relay: ImpairRelayCounters;
}

/**
 * Starts a sender of the clip, re-encoded as a camera would be, and a
 * receiver of it through an impairment relay at the same moment, with an
 * HTTP viewer on `/stream.mjpg` from as soon as the receiver listens, and
 * measures from that moment to `seconds` later: a cold start, nothing warmed
 * up. Every tool is stopped before it returns or throws.
 */
export async function measureLink(options: LinkRunOptions): Promise<LinkResult> {
  const { clip, row, nack, fec, seconds, signal } = options;
  const pair = await startPair({
    senderArgs: ["--source", clip.path, "--loop", "--fec", String(fec)],
    receiverArgs: ["--nack", nack ? "on" : "off"],
    relay: { profile: { ...BASE_LINK, ...options.link }, seed: options.seed },
    viewerSeconds: seconds + 5,
    signal,
  });
  try {
    const { sender, receiver, viewer, startedAt } = pair;
    await delay(Math.max(0, startedAt + seconds * 1000 - wallClock()), signal);
    const end = await receiverStats(pair.url);
    const endAt = wallClock();
    if (viewer.error !== undefined) throw viewer.error;
    const relay = pair.relay!.counters;
    await pair.stop();
    const stopped = sender.events.find((line) => line.event === "stopped");
    const sent = (stopped?.stats ?? {}) as Record<string, number>;
    const firstSends = sent.bytesSent - sent.resentBytes - sent.parityBytes;
    const steadyFrom = startedAt + COLD_START_SECONDS * 1000;
    const adaptedFrom = startedAt + CAP_ADAPT_SECONDS * 1000;
    // The cap row's latency counts once the sender has had 10 s to adapt.
    const latencyFrom = row.id === "cap" ? adaptedFrom : startedAt;
    const latencies = viewer.parts
      .filter((part) => part.readAt >= latencyFrom && part.readAt <= endAt)
      .map((part) => part.readAt - part.captureTime)
      .sort((a, b) => a - b);
    // A run of 5 s or less has no steady part: its rate is the whole run's.
    const rateFrom = endAt > steadyFrom ? steadyFrom : startedAt;
    const rateBytes = viewer.parts
      .filter((part) => part.readAt >= rateFrom && part.readAt < endAt)
      .reduce((sum, part) => sum + part.bytes, 0);
    const delivered = end.framesReceived;
    const dropped = { ...end.framesDropped } as Record<string, number>;
    const droppedTotal = Object.values(dropped).reduce((sum, n) => sum + n, 0);
    const adaptations = readAdaptations(sender.events);
    return {
      row: row.id,
      label: row.label,
      nack,
      fec,
      seconds,
      deliveredPercent: (100 * delivered) / Math.max(1, delivered + droppedTotal),
      fpsStart: fpsBetween(viewer.parts, startedAt, Math.min(steadyFrom, endAt)),
      fps: fpsBetween(viewer.parts, steadyFrom, endAt),
      fpsAfterAdapting: fpsBetween(viewer.parts, adaptedFrom, endAt),
      resentPercent: (100 * sent.resentBytes) / Math.max(1, firstSends),
      parityPercent: (100 * sent.parityBytes) / Math.max(1, firstSends),
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      rttMs: end.rttMs ?? NaN,
      mbps: (rateBytes * 8) / Math.max(1, endAt - rateFrom) / 1000,
      firstFrameMs: firstFrameDelayMs(sender.events, receiver.events),
      lowestQuality: Math.min(TOP_QUALITY, ...adaptations.map((a) => a.quality ?? Infinity)),
      // At the end of the window: stopping the tools makes the receiver
      // leave, and the shared quality then returns to the top.
      endQuality: rungAt(adaptations, endAt).quality,
      framesDelivered: delivered,
      framesDropped: dropped,
      relay,
    };
  } finally {
    await pair.stop();
  }
}
