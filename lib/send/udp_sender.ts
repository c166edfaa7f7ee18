import { wallClock } from "../util/clock.ts";
import { CookieSigner } from "../seal/cookie_signer.ts";
import type { Frame } from "../hub/frame.ts";
import type { LinkReport } from "../adapt/link_report.ts";
import { PeerLink } from "./peer_link.ts";
import { SEAL_OVERHEAD } from "../seal/datagram_seal.ts";
import type { ReceiverReport } from "../wire/control.ts";
import { PacketType } from "../wire/header.ts";
import { type Nack } from "../wire/nack.ts";
import { SenderGate } from "./sender_gate.ts";
import type { SenderRejection } from "./sender_rejection.ts";
import { newSenderCounters, senderStats, type UdpSenderStats } from "./udp_sender_stats.ts";
import { Pacer } from "./pacer.ts";
import { type DatagramSocket, denoDatagramSocket } from "../net/datagram_socket.ts";
import { receiveDatagrams } from "../net/receive_datagrams.ts";
import { type Peer, ReceiverRegistry } from "./receiver_registry.ts";
import type { FpsScale, UdpSenderOptions } from "./udp_sender_options.ts";
import { ResendQueue } from "./resend_queue.ts";
import { FrameInterval, type FramePlan, planFrame } from "./frame_plan.ts";
import { sleep } from "../util/sleep.ts";
import { SENDER_DEFAULTS } from "./sender_defaults.ts";

/**
 * The sender's network side: it answers the handshake on its socket, keeps
 * the list of receivers, sends each frame to all of them (fragmented at the
 * MTU, with optional parity, spread over a few ms), keeps the last second of
 * datagrams to answer NACKs, and passes each receiver's reports on.
 *
 * What comes in passes the {@linkcode SenderGate}, then goes to the
 * {@linkcode ReceiverRegistry} (the handshake) or, for a NACK, to the
 * {@linkcode ResendQueue}; each frame out is planned ({@linkcode planFrame}),
 * paced ({@linkcode Pacer}) and transmitted to each receiver in turn.
 */
export class UdpSender {
  /** The session id, new each run. */
  readonly session: number;
  #socket: DatagramSocket;
  #registry: ReceiverRegistry;
  #gate: SenderGate;
  #onRejected: (address: string, reason: SenderRejection) => void;
  #mtu: number;
  #spreadMs: number;
  #burstPackets: number;
  #fecGroup: number;
  #pacer: Pacer;
  #resends: ResendQueue;
  #links = new Map<string, PeerLink>();
  #sending = false;
  #frame = 0;
  #interval = new FrameInterval();
  #fpsScale: FpsScale;
  #onLinkReport: (receiver: string, report: LinkReport, now: number) => void;
  #expiry: ReturnType<typeof setInterval>;
  #onWork: () => void;
  #closed = false;
  #listening: Promise<void>;
  #counters = newSenderCounters();

  /** Starts answering receivers on `options.socket`. */
  constructor(options: UdpSenderOptions) {
    this.#socket = denoDatagramSocket(options.socket);
    this.#mtu = options.mtu ?? SENDER_DEFAULTS.mtu;
    this.#spreadMs = options.spreadMs ?? SENDER_DEFAULTS.spreadMs;
    this.#burstPackets = options.burstPackets ?? SENDER_DEFAULTS.burstPackets;
    this.#fecGroup = options.fecGroup ?? 0;
    this.#fpsScale = options.fpsScale ?? (() => 1);
    this.#onLinkReport = options.onLinkReport ?? (() => {});
    this.#onWork = options.onWork ?? (() => {});
    this.session = options.session ?? randomSession();
    this.#gate = new SenderGate({
      session: this.session,
      secret: options.secret,
      limiter: options.limiter,
      keyHolderLimiter: options.keyHolderLimiter,
    });
    this.#onRejected = options.onRejected ?? (() => {});
    const onEvent = options.onEvent ?? (() => {});
    this.#registry = new ReceiverRegistry({
      session: this.session,
      signer: new CookieSigner(),
      info: options.info,
      timeoutMs: options.timeoutMs,
      maxReceivers: options.maxReceivers ?? SENDER_DEFAULTS.maxReceivers,
      onEvent: (event) => {
        if (event.type === "receiver_joined") this.#links.set(event.address, new PeerLink());
        if (event.type === "receiver_left") {
          this.#links.delete(event.address);
          // Closing, the keys still seal each receiver's goodbye.
          if (!this.#closed) this.#gate.left(event.address);
        }
        onEvent(event);
      },
      onReport: (peer, report, now) => this.#report(peer, report, now),
    });
    this.#pacer = new Pacer({
      bitsPerSecond: options.paceBitsPerSecond ?? SENDER_DEFAULTS.paceMbps * 1e6,
      burstBytes: this.#burstPackets * this.#mtu,
    });
    this.#resends = new ResendQueue({
      seal: (datagram, key) => this.#gate.seal(datagram, key),
      transmit: (datagram, address) => this.#transmit(datagram, address),
    });
    this.#expiry = setInterval(() => this.#registry.expire(wallClock()), 250);
    this.#listening = this.#listen();
  }

  /** The address the socket is bound to. */
  get addr(): Deno.NetAddr {
    return this.#socket.addr;
  }

  /** Which socket it sends on: `"deno"` or `"system"` (see `DatagramSocket.kind`). */
  get socketKind(): string {
    return this.#socket.kind;
  }

  /** Whether datagrams are sealed with a key. */
  get sealed(): boolean {
    return this.#gate.sealed;
  }

  /** How many receivers are streamed to now. */
  get receivers(): number {
    return this.#registry.size;
  }

  /** The counters so far. */
  get stats(): UdpSenderStats {
    return senderStats({
      counters: this.#counters,
      resends: this.#resends.stats,
      receivers: this.#registry.size,
      links: [...this.#links].map(([address, link]) => link.stats(address)),
    });
  }

  /**
   * Sends one frame to every receiver that is due one (see
   * {@linkcode UdpSenderOptions.fpsScale}); resolves when the last datagram is out.
   */
  async send(frame: Frame): Promise<void> {
    if (this.#closed) return;
    this.#onWork();
    this.#interval.measure(frame.captureTime);
    const peers = this.#registry.peers.filter((peer) => {
      const link = this.#links.get(peer.key);
      return link === undefined || link.thinner.admit(this.#fpsScale(peer.key));
    });
    if (peers.length === 0) return;
    const number = this.#frame++;
    const plan = planFrame(frame.data, frame.captureTime, {
      session: this.session,
      frame: number,
      mtu: this.#gate.sealed ? this.#mtu - SEAL_OVERHEAD : this.#mtu,
      fecGroup: this.#fecGroup,
      spreadMs: this.#spreadMs,
      intervalMs: this.#interval.ms,
      receivers: peers.length,
    });
    const now = performance.now();
    this.#resends.keep(number, plan.fragments, now);
    this.#sending = true;
    try {
      if (!await this.#fanOut(plan, peers, now)) return;
      if (plan.tailCopy) {
        const tail = plan.fragments[plan.fragments.length - 1];
        for (const peer of peers) {
          if (!await this.#resends.copyTail(tail, peer, this.#links.get(peer.key))) return;
        }
      }
      this.#counters.framesSent++;
    } finally {
      this.#sending = false;
    }
    await this.#resends.flush();
  }

  /** Says goodbye to every receiver, then closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#expiry);
    this.#resends.clear();
    for (const [peer, bye] of this.#registry.close()) {
      const sealed = this.#gate.seal(bye, peer.key);
      if (sealed !== undefined) await this.#socket.send(sealed, peer.address).catch(() => {});
    }
    this.#socket.close();
    await this.#listening;
  }

  /** Answers a control datagram at once, outside the pacer. */
  async #reply(datagram: Uint8Array, to: Deno.NetAddr): Promise<void> {
    if (this.#closed) return;
    await this.#socket.send(datagram, to).catch(() => this.#counters.sendErrors++);
  }

  /** Sends one datagram through the pacer; false once closed. */
  async #transmit(datagram: Uint8Array, address: Deno.NetAddr): Promise<boolean> {
    const wait = this.#pacer.take(datagram.length, performance.now());
    if (wait > 0) await sleep(wait);
    if (this.#closed) return false;
    try {
      await this.#socket.send(datagram, address);
      this.#counters.datagramsSent++;
      this.#counters.bytesSent += datagram.length;
    } catch {
      this.#counters.sendErrors++;
    }
    return true;
  }

  /**
   * Sends each of `plan`'s datagrams to every one of `peers`, `plan.gapMs`
   * apart from `start` (ms), resends queued first; false once closed. The
   * datagrams due at once go out together, in one call where the socket can.
   */
  async #fanOut(plan: FramePlan, peers: Peer[], start: number): Promise<boolean> {
    const { fragments, parity } = plan;
    const all = parity.length > 0 ? [...fragments, ...parity] : fragments;
    const due: Uint8Array[] = [];
    const to: Deno.NetAddr[] = [];
    const clumpMs = clumpFor(plan.gapMs, this.#spreadMs, this.#burstPackets);
    let sent = 0;
    for (let i = 0; i < all.length; i++) {
      const isParity = i >= fragments.length;
      for (const peer of peers) {
        // Parity would only add to the load of a link already full.
        if (isParity && this.#links.get(peer.key)?.congested) continue;
        const ahead = start + sent * plan.gapMs - performance.now();
        if (ahead > clumpMs) {
          if (!await this.#sendDue(due, to)) return false;
          await sleep(ahead);
        }
        if (this.#resends.queued > 0) {
          if (!await this.#sendDue(due, to)) return false;
          await this.#resends.flush();
        }
        // Sealed for each receiver with the keys of its join, as it goes,
        // so that the work spreads over the frame like the sends.
        const datagram = this.#gate.seal(all[i], peer.key);
        if (datagram === undefined) continue;
        const wait = this.#pacer.take(datagram.length, performance.now());
        if (wait > 0) {
          if (!await this.#sendDue(due, to)) return false;
          await sleep(wait);
        }
        due.push(datagram);
        to.push(peer.address);
        sent++;
        this.#links.get(peer.key)?.sent(datagram.length);
        if (isParity) {
          this.#counters.parityDatagrams++;
          this.#counters.parityBytes += datagram.length;
        }
      }
    }
    return await this.#sendDue(due, to);
  }

  /** Sends `due[i]` to `to[i]`, already paced, and empties both; false once closed. */
  async #sendDue(due: Uint8Array[], to: Deno.NetAddr[]): Promise<boolean> {
    if (this.#closed) return false;
    if (due.length === 0) return true;
    let bytes = 0;
    for (const datagram of due) bytes += datagram.length;
    const failed = await this.#socket.sendMany(due, to).catch(() => due.length);
    this.#counters.sendErrors += failed;
    this.#counters.datagramsSent += due.length - failed;
    // Which failed is not told: the bytes of those that went, on average.
    this.#counters.bytesSent += Math.round(bytes * (due.length - failed) / due.length);
    due.length = 0;
    to.length = 0;
    return !this.#closed;
  }

  #nack(packet: Nack, from: Deno.NetAddr, wallNow: number): void {
    const peer = this.#registry.verify(packet, from, wallNow);
    if (peer === undefined) {
      this.#counters.nacksRefused++;
      return;
    }
    this.#counters.nacks++;
    const link = this.#links.get(peer.key);
    // Between frames nothing else sends: resend at once.
    if (this.#resends.nack(peer, packet.ranges, link, performance.now()) && !this.#sending) {
      this.#resends.drain();
    }
  }

  #report(peer: Peer, report: ReceiverReport, now: number): void {
    const change = this.#links.get(peer.key)?.report(report, now);
    if (change !== undefined) this.#onLinkReport(peer.key, change, now);
  }

  #listen(): Promise<void> {
    return receiveDatagrams(this.#socket, (datagram, from) => this.#take(datagram, from), {
      bufferSize: 2048,
      closed: () => this.#closed,
      onError: () => this.#counters.receiveErrors++,
      onWork: this.#onWork,
    });
  }

  /** Answers or takes in one datagram from `from`. */
  #take(datagram: Uint8Array, from: Deno.NetAddr): void {
    const address = `${from.hostname}:${from.port}`;
    const now = wallClock();
    const peer = this.#registry.has(address);
    const taken = this.#gate.take(datagram, address, peer, performance.now());
    if (!taken.ok) {
      this.#counters.rejected[taken.reason]++;
      this.#onRejected(address, taken.reason);
      if (taken.reply !== undefined) void this.#reply(taken.reply, from);
      return;
    }
    if (taken.packet === undefined) {
      void this.#reply(taken.reply, from);
      return;
    }
    if (taken.packet.type === PacketType.NACK) {
      this.#nack(taken.packet, from, now);
      return;
    }
    const reply = this.#registry.handle(taken.packet, from, now);
    const sealed = reply === undefined ? undefined : this.#gate.seal(reply, address, taken.packet);
    if (sealed !== undefined) void this.#reply(sealed, from);
  }
}

/**
 * How far ahead of its time a datagram may go, in ms: datagrams due within
 * this go out together, in one call, after one wait. Each wait costs a wake
 * of the thread (about 0.1 ms of CPU on these machines, a frame's 70
 * datagrams at 1080p took 10 wakes at 0.5 ms); a clump is kept to half the
 * pacer's burst and half the spread, and never under 0.5 ms.
 */
export function clumpFor(gapMs: number, spreadMs: number, burstPackets: number): number {
  return Math.max(0.5, Math.min(spreadMs / 2, gapMs * burstPackets / 2));
}

function randomSession(): number {
  const [value] = crypto.getRandomValues(new Uint32Array(1));
  return value === 0 ? 1 : value;
}
