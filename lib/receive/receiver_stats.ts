import { wallClock } from "../util/clock.ts";
import { formatSession } from "../wire/format_session.ts";
import type { ReceiverReport } from "../wire/control.ts";
import { linkReport } from "../adapt/link_report.ts";
import { LatencyHistogram, type LatencyHistogramSnapshot } from "../metrics/latency_histogram.ts";
import { QueueDelayMeter } from "../metrics/queue_delay_meter.ts";
import { RateMeter } from "../metrics/rate_meter.ts";
import { SampleWindow } from "../metrics/sample_window.ts";
import { linkReasonText } from "./link_reason.ts";
import { RECOVERY } from "./nack_policy.ts";
import type { AssembledFrame, Reassembler } from "./reassembler.ts";
import type { ReassemblerStats } from "./reassembler_stats.ts";
import { RECEIVER_REJECTIONS, type ReceiverRejection } from "./receiver_rejection.ts";
import type { LinkState } from "./link_state.ts";
import type { ReceiverLink } from "./receiver_link.ts";

/** Everything the receiver measures, as `/stats` serves it. */
export interface UdpReceiverStats {
  state: LinkState;
  /** Why the link is in its state, in words. */
  stateReason: string;
  /** Whether the stream is sealed with a key. */
  sealed: boolean;
  sender: string;
  session: string;
  /** The name the sender gives, once it has said. */
  senderName: string | undefined;
  /** When the sender started, on this receiver's clock (ISO 8601), once it has said. */
  senderStartedAt: string | undefined;
  fps: number;
  bitrateMbps: number;
  width: number | undefined;
  height: number | undefined;
  framesReceived: number;
  framesDropped: ReassemblerStats["framesDropped"];
  packetsReceived: number;
  /** Bytes of the datagrams in {@linkcode packetsReceived}, as received. */
  bytesReceived: number;
  /** DATA datagrams received with the resent mark: answers to NACKs. */
  packetsResent: number;
  packetsMissing: number;
  packetsRecovered: number;
  packetsRebuilt: number;
  packetsLost: number;
  lossPercent: number;
  nacksSent: number;
  latencyBudgetMs: number;
  reorderWaitMs: number;
  queueDelayMs: number;
  packetsDropped: ReassemblerStats["packetsDropped"] & { wrongSession: number };
  /** Bytes held now by frames being put together: fragments, parity and bookkeeping. */
  pendingBytes: number;
  /** Times frame numbering started over after a frame number far ahead turned out wrong. */
  resyncs: number;
  rejected: Record<ReceiverRejection | "wrongSender", number>;
  rttMs: number | undefined;
  latencyMs: { p50: number | undefined; p99: number | undefined };
  lastFrameAt: string | undefined;
}

/** Why the receiver turned a datagram away: by its gate, or as from someone else. */
export type ReceiverRejectionReason = ReceiverRejection | "wrongSender";

/** Options for a {@linkcode ReceiverStats}. */
export interface ReceiverStatsOptions {
  /** The sender's address. */
  sender: Deno.NetAddr;
  /** The link, for its state, session, round trip and clock offset. */
  link: ReceiverLink;
  /** The frames in progress, for their counters. */
  reassembler: Reassembler;
  /** Whether the stream is sealed with a key. */
  sealed: () => boolean;
}

/** How often, in ms, the loss rate shown is worked out from the reports. */
const LOSS_EVERY_MS = 2000;

/**
 * The receiver's counters and meters: datagrams taken and turned away,
 * frames shown and their latency, the queue delay, and the loss rate; and
 * the {@linkcode UdpReceiverStats} and keepalive reports made from them.
 */
export class ReceiverStats {
  #sender: Deno.NetAddr;
  #link: ReceiverLink;
  #reassembler: Reassembler;
  #sealed: () => boolean;
  #queueDelay = new QueueDelayMeter();
  #lossSnapshot: { at: number; report: ReceiverReport } | undefined;
  #lossPercent = 0;
  #rate = new RateMeter(2000);
  #latency = new SampleWindow(1024);
  #latencyHistogram = new LatencyHistogram();
  #packetsReceived = 0;
  #bytesReceived = 0;
  #packetsResent = 0;
  #receiveErrors = 0;
  #wrongSession = 0;
  #rejected = Object.fromEntries(
    [...RECEIVER_REJECTIONS, "wrongSender"].map((reason) => [reason, 0]),
  ) as Record<ReceiverRejectionReason, number>;
  #size: { width: number; height: number } | undefined;
  #lastFrameAt: number | undefined;

  /** Creates counters that have counted nothing yet. */
  constructor(options: ReceiverStatsOptions) {
    this.#sender = options.sender;
    this.#link = options.link;
    this.#reassembler = options.reassembler;
    this.#sealed = options.sealed;
  }

  /** Latency samples, capture to whole frame here, in ms. */
  get latency(): SampleWindow {
    return this.#latency;
  }

  /** Every latency sample since the start, capture to whole frame here, in fixed buckets. */
  get latencyHistogram(): LatencyHistogramSnapshot {
    return this.#latencyHistogram.snapshot();
  }

  /** Counts a datagram the socket could not receive. */
  receiveFailed(): void {
    this.#receiveErrors++;
  }

  /** Counts a datagram turned away, and why. */
  reject(reason: ReceiverRejectionReason): void {
    this.#rejected[reason]++;
  }

  /** Counts a DATA or PARITY datagram of another session than the one joined. */
  wrongSession(): void {
    this.#wrongSession++;
  }

  /** Counts a DATA or PARITY datagram of `bytes` taken in; `resent` if it answers a NACK. */
  datagram(bytes: number, resent: boolean): void {
    this.#packetsReceived++;
    this.#bytesReceived += bytes;
    if (resent) this.#packetsResent++;
  }

  /** Forgets the queue delay measured, as for a new session. */
  sessionChanged(): void {
    this.#queueDelay.clear();
  }

  /**
   * Records `assembled`, of `size`, shown at `now`, captured at
   * `localCaptureTime` on this receiver's clock.
   */
  frameShown(
    assembled: AssembledFrame,
    now: number,
    frame: { size: { width: number; height: number }; localCaptureTime: number },
  ): void {
    this.#size = frame.size;
    this.#lastFrameAt = now;
    this.#rate.add(assembled.data.length, now);
    this.#latency.add(now - frame.localCaptureTime);
    this.#latencyHistogram.observe(now - frame.localCaptureTime);
    // The sender's own capture time, not corrected by the clock offset: that
    // estimate moves, and a queue must not.
    this.#queueDelay.add(assembled.captureTime, assembled.firstArrival, now);
  }

  /** Works the loss rate out again at `now` if it was last more than 2 s ago. */
  tick(now: number): void {
    const snapshot = this.#lossSnapshot;
    if (snapshot === undefined || now - snapshot.at >= LOSS_EVERY_MS) {
      const report = this.report(now);
      const change = snapshot && linkReport(snapshot.report, report);
      if (change !== undefined) this.#lossPercent = change.lossFraction * 100;
      this.#lossSnapshot = { at: now, report };
    }
  }

  /** The running totals each keepalive carries to the sender. */
  report(now: number = wallClock()): ReceiverReport {
    const r = this.#reassembler.stats;
    return {
      fragments: r.packetsUsed + r.packetsRebuilt,
      missing: r.packetsMissing,
      recovered: r.packetsRecovered + r.packetsRebuilt,
      framesShown: r.framesCompleted,
      framesLost: this.#reassembler.framesLost,
      rttMs: this.#link.srttMs ?? 0,
      queueDelayMs: this.#queueDelay.value(now),
    };
  }

  /** Everything measured so far, with `nacksSent` NACKs sent. */
  snapshot(now: number, nacksSent: number): UdpReceiverStats {
    const r = this.#reassembler.stats;
    const rate = this.#rate.rate(now);
    return {
      state: this.#link.state,
      stateReason: linkReasonText(this.#link.reason),
      sealed: this.#sealed(),
      sender: `${this.#sender.hostname}:${this.#sender.port}`,
      session: formatSession(this.#link.session),
      senderName: this.#link.senderInfo?.name,
      senderStartedAt: this.#senderStartedAt(),
      fps: round(rate.perSecond, 1),
      bitrateMbps: round(rate.bitsPerSecond / 1e6, 2),
      width: this.#size?.width,
      height: this.#size?.height,
      framesReceived: r.framesCompleted,
      framesDropped: r.framesDropped,
      packetsReceived: this.#packetsReceived,
      bytesReceived: this.#bytesReceived,
      packetsResent: this.#packetsResent,
      packetsMissing: r.packetsMissing,
      packetsRecovered: r.packetsRecovered,
      packetsRebuilt: r.packetsRebuilt,
      packetsLost: r.packetsLost,
      lossPercent: round(this.#lossPercent, 2),
      nacksSent,
      latencyBudgetMs: round(this.#reassembler.budgetMs, 1),
      reorderWaitMs: round(Math.max(RECOVERY.reorderMs, this.#reassembler.reorderMs), 1),
      queueDelayMs: round(this.#queueDelay.value(now), 1),
      packetsDropped: { ...r.packetsDropped, wrongSession: this.#wrongSession },
      pendingBytes: r.pendingBytes,
      resyncs: r.resyncs,
      rejected: { ...this.#rejected },
      rttMs: this.#link.srttMs === undefined ? undefined : round(this.#link.srttMs, 2),
      latencyMs: {
        p50: roundOrUndefined(this.#latency.percentile(50)),
        p99: roundOrUndefined(this.#latency.percentile(99)),
      },
      lastFrameAt: this.#lastFrameAt === undefined
        ? undefined
        : new Date(this.#lastFrameAt).toISOString(),
    };
  }

  #senderStartedAt(): string | undefined {
    const info = this.#link.senderInfo;
    if (info === undefined) return undefined;
    const local = info.startedAt - this.#link.clockOffsetMs;
    return Number.isFinite(local) && Math.abs(local) < 8.64e15
      ? new Date(local).toISOString()
      : undefined;
  }
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** `value` rounded to 2 decimals, or undefined. */
export function roundOrUndefined(value: number | undefined): number | undefined {
  return value === undefined ? undefined : round(value, 2);
}
