import { wallClock } from "../util/clock.ts";
import type { ReceivedFrame } from "../hub/frame.ts";
import { LatestValue } from "../hub/latest_value.ts";
import { jpegDimensions } from "../image/jpeg_dimensions.ts";
import { withHuffmanTables } from "../image/with_huffman_tables.ts";
import type { LatencyHistogramSnapshot } from "../metrics/latency_histogram.ts";
import type { SampleWindow } from "../metrics/sample_window.ts";
import type { StreamKey } from "../seal/stream_key.ts";
import { type DatagramSocket, denoDatagramSocket } from "../net/datagram_socket.ts";
import { receiveDatagrams } from "../net/receive_datagrams.ts";
import { PacketType } from "../wire/header.ts";
import { RefusalReason } from "../wire/refused.ts";
import { linkReasonText } from "./link_reason.ts";
import { autoLatencyMs, NackPolicy } from "./nack_policy.ts";
import { type AssembledFrame, Reassembler } from "./reassembler.ts";
import { ReceiverGate } from "./receiver_gate.ts";
import type { LinkEvent, LinkState } from "./link_state.ts";
import { ReceiverLink } from "./receiver_link.ts";
import { ReceiverStats, type UdpReceiverStats } from "./receiver_stats.ts";

/** Options for a {@linkcode UdpReceiver}. */
export interface UdpReceiverOptions {
  /** A bound UDP socket; the receiver owns it from now on. */
  socket: Deno.DatagramConn | DatagramSocket;
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
  /** Called as each group of datagrams is taken in (see `LoopLagMeter.touch`). */
  onWork?: () => void;
}

/**
 * The receiver's network side: it joins the sender, keeps the link alive,
 * puts frames back together and publishes each whole frame in {@linkcode frames}.
 */
export class UdpReceiver {
  /** The newest whole frame; viewers wait on it. */
  readonly frames: LatestValue<ReceivedFrame> = new LatestValue();
  #socket: DatagramSocket;
  #sender: Deno.NetAddr;
  #link: ReceiverLink;
  #gate: ReceiverGate;
  #key: StreamKey | undefined;
  #stretching = false;
  #reassembler = new Reassembler();
  #latencyMs: number | undefined;
  #nacks: NackPolicy;
  #stats: ReceiverStats;
  #ticker: ReturnType<typeof setInterval>;
  #closed = false;
  #receiving: Promise<void>;
  #onWork: (() => void) | undefined;
  /** Whether a frame's datagram came since missing fragments were last looked for. */
  #framesMoved = false;

  /** Starts joining `options.sender`. */
  constructor(options: UdpReceiverOptions) {
    this.#socket = denoDatagramSocket(options.socket);
    this.#onWork = options.onWork;
    this.#sender = options.sender;
    this.#latencyMs = options.latencyMs;
    this.#key = options.key;
    this.#gate = options.gate ?? new ReceiverGate(options.key);
    this.#link = new ReceiverLink({
      onEvent: options.onEvent,
      report: () => this.#stats.report(),
    });
    this.#nacks = new NackPolicy({
      reassembler: this.#reassembler,
      link: this.#link,
      send: (message) => this.#send(message),
      nack: options.nack,
    });
    this.#stats = new ReceiverStats({
      sender: this.#sender,
      link: this.#link,
      reassembler: this.#reassembler,
      sealed: () => this.#gate.sealed,
    });
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
    return this.#socket.addr;
  }

  /** Latency samples, capture to whole frame here, in ms. */
  get latency(): SampleWindow {
    return this.#stats.latency;
  }

  /** Every latency sample since the start, capture to whole frame here, in fixed buckets. */
  get latencyHistogram(): LatencyHistogramSnapshot {
    return this.#stats.latencyHistogram;
  }

  /** The link's clock offset to the sender, in ms. */
  get clockOffsetMs(): number {
    return this.#link.clockOffsetMs;
  }

  /** Everything measured so far. */
  stats(now: number = wallClock()): UdpReceiverStats {
    return this.#stats.snapshot(now, this.#nacks.nacksSent);
  }

  /** Says goodbye to the sender, then closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#ticker);
    this.#nacks.close();
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
    this.#stats.tick(now);
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
      onError: () => this.#stats.receiveFailed(),
      onWork: this.#onWork,
      // Once for the datagrams that arrived together, not for each.
      afterSome: () => {
        if (!this.#framesMoved || this.#closed) return;
        this.#framesMoved = false;
        this.#nacks.recover(wallClock());
      },
    });
  }

  /** Takes in one datagram from `from`. */
  #take(datagram: Uint8Array, from: Deno.NetAddr): void {
    const sender = this.#sender;
    if (from.port !== sender.port || from.hostname !== sender.hostname) {
      this.#stats.reject("wrongSender");
      return;
    }
    const taken = this.#gate.take(datagram);
    const now = wallClock();
    if (!taken.ok) {
      this.#stats.reject(taken.reason);
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
      this.#stats.sessionChanged();
    }
    if (packet.type !== PacketType.DATA && packet.type !== PacketType.PARITY) return;
    if (!accept) {
      this.#stats.wrongSession();
      return;
    }
    let frame;
    if (packet.type === PacketType.DATA) {
      this.#stats.datagram(datagram.length, packet.resent);
      frame = this.#reassembler.push(packet, now);
    } else {
      this.#stats.datagram(datagram.length, false);
      this.#nacks.parityCame(now);
      frame = this.#reassembler.pushParity(packet, now);
    }
    if (frame !== undefined) this.#publish(frame, now);
    this.#framesMoved = true;
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
      this.#stats.reject("malformed");
      return;
    }
    const localCaptureTime = captureTime - this.#link.clockOffsetMs;
    this.#stats.frameShown(assembled, now, { size, localCaptureTime });
    this.#link.frameShown(now);
    this.frames.publish({
      // Many webcams' JPEGs leave the standard tables out; Safari shows nothing for them.
      data: withHuffmanTables(data),
      captureTime,
      localCaptureTime,
      receivedAt: now,
      width: size.width,
      height: size.height,
      frame,
    });
  }
}
