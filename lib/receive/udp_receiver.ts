import { wallClock } from "../util/clock.ts";
import { formatSession } from "../wire/format_session.ts";
import type { ReceivedFrame } from "../hub/frame.ts";
import { jpegDimensions } from "../image/jpeg_dimensions.ts";
import { LatencyHistogram, type LatencyHistogramSnapshot } from "../metrics/latency_histogram.ts";
import { LatestValue } from "../hub/latest_value.ts";
import { type ReceiverReport } from "../wire/control.ts";
import { RefusalReason } from "../wire/refused.ts";
import { PacketType } from "../wire/header.ts";
import { encodeNack, MAX_NACK_RANGES, type NackRange } from "../wire/nack.ts";
import { RECEIVER_REJECTIONS, ReceiverGate, type ReceiverRejection } from "./receiver_gate.ts";
import type { StreamKey } from "../seal/stream_key.ts";
import { linkReport } from "../adapt/link_report.ts";
import { QueueDelayMeter } from "../metrics/queue_delay_meter.ts";
import { type AssembledFrame, Reassembler, type ReassemblerStats } from "./reassembler.ts";
import { type LinkEvent, type LinkState, ReceiverLink } from "./receiver_link.ts";
import { linkReasonText } from "./link_reason.ts";
import { RateMeter } from "../metrics/rate_meter.ts";
import { receiveDatagrams } from "../util/receive_datagrams.ts";
import { SampleWindow } from "../metrics/sample_window.ts";

/** Options for a {@linkcode UdpReceiver}. */
export interface UdpReceiverOptions {
  /** A bound UDP socket; the receiver owns it from now on. */
  socket: Deno.DatagramConn;
  /** The sender's address (an IP address, not a name). */
  sender: Deno.NetAddr;
  /** Called on joins, session changes and state changes. */
  onEvent?: (event: LinkEvent) => void;
  /**
   * How long a frame may wait for missing fragments, in ms from its first
   * datagram. @default derived from the round-trip time by {@linkcode autoLatencyMs}
   */
  latencyMs?: number;
  /** Ask the sender for missing fragments. @default {true} */
  nack?: boolean;
  /**
   * The shared key: with one, every datagram is sealed. It is stretched
   * (in the runtime's thread pool) with each salt a sender run names.
   * @default none, in the clear
   */
  key?: StreamKey;
  /**
   * The gate to take datagrams through, made with `key`: one that asked the
   * sender for its salt already. @default a new one
   */
  gate?: ReceiverGate;
}

/** Recovery timing: how long gaps wait before they count as lost, and retries. */
export const RECOVERY = {
  /** A gap waits this long, in ms, for a reordered datagram before it is asked for. */
  reorderMs: 1,
  /** A frame silent this long, in ms, lost the datagrams after its last one. */
  tailMs: 3,
} as const;

/**
 * The default latency budget for a round-trip time: room for three rounds of
 * asking again, plus 25 ms for the frame's own spread and jitter; from 30 ms
 * to 1 s.
 */
export function autoLatencyMs(rttMs: number | undefined): number {
  return Math.min(1000, Math.max(30, 3 * (rttMs ?? 0) + 25));
}

/** When a fragment asked for and still missing is asked for again, in ms. */
export function retryMs(rttMs: number | undefined): number {
  return Math.max(3, 1.25 * (rttMs ?? 0) + 2);
}

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

/**
 * The receiver's network side: it joins the sender, keeps the link alive,
 * puts frames back together and publishes each whole frame in {@linkcode frames}.
 */
export class UdpReceiver {
  /** The newest whole frame; viewers wait on it. */
  readonly frames: LatestValue<ReceivedFrame> = new LatestValue();
  #socket: Deno.DatagramConn;
  #sender: Deno.NetAddr;
  #link: ReceiverLink;
  #gate: ReceiverGate;
  #key: StreamKey | undefined;
  #stretching = false;
  #reassembler = new Reassembler();
  #latencyMs: number | undefined;
  #nack: boolean;
  #nacksSent = 0;
  #queueDelay = new QueueDelayMeter();
  #parityAt = -Infinity;
  #recoveryTimer: ReturnType<typeof setTimeout> | undefined;
  #lossSnapshot: { at: number; report: ReceiverReport } | undefined;
  #lossPercent = 0;
  #rate = new RateMeter(2000);
  #latency = new SampleWindow(1024);
  #latencyHistogram = new LatencyHistogram();
  #ticker: ReturnType<typeof setInterval>;
  #closed = false;
  #receiving: Promise<void>;
  #packetsReceived = 0;
  #bytesReceived = 0;
  #packetsResent = 0;
  #receiveErrors = 0;
  #wrongSession = 0;
  #rejected = Object.fromEntries(
    [...RECEIVER_REJECTIONS, "wrongSender"].map((reason) => [reason, 0]),
  ) as Record<ReceiverRejection | "wrongSender", number>;
  #size: { width: number; height: number } | undefined;
  #lastFrameAt: number | undefined;

  /** Starts joining `options.sender`. */
  constructor(options: UdpReceiverOptions) {
    this.#socket = options.socket;
    this.#sender = options.sender;
    this.#latencyMs = options.latencyMs;
    this.#nack = options.nack ?? true;
    this.#key = options.key;
    this.#gate = options.gate ?? new ReceiverGate(options.key);
    this.#link = new ReceiverLink({ onEvent: options.onEvent, report: () => this.#report() });
    this.#tick();
    // Every 50 ms: quick hellos and keepalives go at this pace (see ReceiverLink).
    this.#ticker = setInterval(() => this.#tick(), 50);
    this.#receiving = this.#receive();
  }

  /** The link's state now. */
  get state(): LinkState {
    return this.#link.state;
  }

  /** Why the link is in its state, in words. */
  get stateReason(): string {
    return linkReasonText(this.#link.reason);
  }

  /** The address the socket is bound to. */
  get addr(): Deno.NetAddr {
    return this.#socket.addr as Deno.NetAddr;
  }

  /** Latency samples, capture to whole frame here, in ms. */
  get latency(): SampleWindow {
    return this.#latency;
  }

  /** Every latency sample since the start, capture to whole frame here, in fixed buckets. */
  get latencyHistogram(): LatencyHistogramSnapshot {
    return this.#latencyHistogram.snapshot();
  }

  /** The link's clock offset to the sender, in ms. */
  get clockOffsetMs(): number {
    return this.#link.clockOffsetMs;
  }

  #senderStartedAt(): string | undefined {
    const info = this.#link.senderInfo;
    if (info === undefined) return undefined;
    const local = info.startedAt - this.#link.clockOffsetMs;
    return Number.isFinite(local) && Math.abs(local) < 8.64e15
      ? new Date(local).toISOString()
      : undefined;
  }

  /** Everything measured so far. */
  stats(now: number = wallClock()): UdpReceiverStats {
    const r = this.#reassembler.stats;
    const rate = this.#rate.rate(now);
    return {
      state: this.#link.state,
      stateReason: linkReasonText(this.#link.reason),
      sealed: this.#gate.sealed,
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
      nacksSent: this.#nacksSent,
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

  /** Says goodbye to the sender, then closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#ticker);
    clearTimeout(this.#recoveryTimer);
    const bye = this.#link.bye();
    const sealed = bye === undefined ? undefined : this.#gate.seal(bye);
    if (sealed !== undefined) await this.#socket.send(sealed, this.#sender).catch(() => {});
    this.#socket.close();
    await this.#receiving;
    this.frames.close();
  }

  #tick(): void {
    const now = wallClock();
    this.#reassembler.budgetMs = this.#latencyMs ?? autoLatencyMs(this.#link.srttMs);
    const message = this.#link.tick(now);
    if (message !== undefined) this.#send(message);
    const snapshot = this.#lossSnapshot;
    if (snapshot === undefined || now - snapshot.at >= 2000) {
      const report = this.#report(now);
      const change = snapshot && linkReport(snapshot.report, report);
      if (change !== undefined) this.#lossPercent = change.lossFraction * 100;
      this.#lossSnapshot = { at: now, report };
    }
  }

  /** The running totals each keepalive carries to the sender. */
  #report(now: number = wallClock()): ReceiverReport {
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

  /**
   * Asks for the missing fragments that are due, and gives up frames past
   * their deadline; runs after each datagram and every 2 ms while frames are
   * in progress.
   */
  #recover(now: number): void {
    const ranges = this.#reassembler.due(now, {
      reorderMs: RECOVERY.reorderMs,
      retryMs: retryMs(this.#link.srttMs),
      tailMs: RECOVERY.tailMs,
      awaitParity: now - this.#parityAt < 2000,
    });
    const cookie = this.#link.cookie;
    if (ranges.length > 0 && this.#nack && cookie !== undefined) {
      for (let i = 0; i < ranges.length; i += MAX_NACK_RANGES) {
        const nack = encodeNack({
          session: this.#link.session,
          receiver: this.#link.receiver,
          cookie,
          ranges: ranges.slice(i, i + MAX_NACK_RANGES) as NackRange[],
        });
        // Twice, a moment apart: a NACK is small, and losing it costs a round trip.
        // Each copy is sealed on its own, so that the second is not a replay.
        this.#send(nack);
        setTimeout(() => this.#send(nack), 1);
        this.#nacksSent++;
      }
    }
    if (this.#reassembler.pendingFrames > 0 && this.#recoveryTimer === undefined) {
      this.#recoveryTimer = setTimeout(() => {
        this.#recoveryTimer = undefined;
        if (!this.#closed) this.#recover(wallClock());
      }, 2);
    }
  }

  #send(message: Uint8Array): void {
    if (this.#closed) return;
    const datagram = this.#gate.seal(message);
    if (datagram === undefined) return;
    // A send fails while the network is down; the next tick tries again.
    this.#socket.send(datagram, this.#sender).catch(() => {});
  }

  #receive(): Promise<void> {
    return receiveDatagrams(this.#socket, (datagram, from) => this.#take(datagram, from), {
      bufferSize: 65_536,
      closed: () => this.#closed,
      onError: () => this.#receiveErrors++,
    });
  }

  /** Takes in one datagram from `from`. */
  #take(datagram: Uint8Array, from: Deno.NetAddr): void {
    const sender = this.#sender;
    if (from.port !== sender.port || from.hostname !== sender.hostname) {
      this.#rejected.wrongSender++;
      return;
    }
    const taken = this.#gate.take(datagram);
    const now = wallClock();
    if (!taken.ok) {
      this.#rejected[taken.reason]++;
      // Sealed datagrams to a receiver without a key: the sender needs one.
      if (taken.reason === "sealed") this.#link.refuse(RefusalReason.KEY_REQUIRED, now);
      // Nothing authenticates what else would say the keys differ: weighed, not believed.
      if (taken.doubt !== undefined) this.#link.doubt(taken.doubt, now);
      return;
    }
    this.#stretch();
    const packet = taken.packet;
    if (packet === undefined) return;
    const { reply, accept, sessionChanged } = this.#link.handle(packet, now);
    if (reply !== undefined) this.#send(reply);
    if (sessionChanged) {
      this.#reassembler.reset();
      this.#queueDelay.clear();
    }
    if (packet.type !== PacketType.DATA && packet.type !== PacketType.PARITY) return;
    if (!accept) {
      this.#wrongSession++;
      return;
    }
    this.#packetsReceived++;
    this.#bytesReceived += datagram.length;
    let frame;
    if (packet.type === PacketType.DATA) {
      if (packet.resent) this.#packetsResent++;
      frame = this.#reassembler.push(packet, now);
    } else {
      this.#parityAt = now;
      frame = this.#reassembler.pushParity(packet, now);
    }
    if (frame !== undefined) this.#publish(frame, now);
    this.#recover(now);
  }

  /**
   * Stretches the key with the salt the sender named, if it is not yet, one
   * stretch at a time; then says hello at once, sealed with it.
   */
  #stretch(): void {
    const salt = this.#gate.wanted;
    if (salt === undefined || this.#key === undefined || this.#stretching) return;
    this.#stretching = true;
    this.#key.stretch(salt).then((secret) => {
      this.#stretching = false;
      if (this.#closed) return;
      if (this.#gate.use(secret)) this.#send(this.#link.helloNow(wallClock()));
      // Another salt was named meanwhile.
      this.#stretch();
    }, () => {
      // scrypt could not run (out of memory): the next answer tries again.
      this.#stretching = false;
    });
  }

  #publish(assembled: AssembledFrame, now: number): void {
    const { data, captureTime, frame } = assembled;
    const size = jpegDimensions(data);
    if (size === undefined) {
      // A frame that is whole but not a JPEG would show as a broken image.
      this.#rejected.malformed++;
      return;
    }
    this.#size = size;
    this.#lastFrameAt = now;
    this.#rate.add(data.length, now);
    this.#link.frameShown(now);
    const localCaptureTime = captureTime - this.#link.clockOffsetMs;
    this.#latency.add(now - localCaptureTime);
    this.#latencyHistogram.observe(now - localCaptureTime);
    // The sender's own capture time, not corrected by the clock offset: that
    // estimate moves, and a queue must not.
    this.#queueDelay.add(captureTime, assembled.firstArrival, now);
    this.frames.publish({
      data,
      captureTime,
      localCaptureTime,
      receivedAt: now,
      width: size.width,
      height: size.height,
      frame,
    });
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function roundOrUndefined(value: number | undefined): number | undefined {
  return value === undefined ? undefined : round(value, 2);
}
