import { wallClock } from "../util/clock.ts";
import { CookieSigner } from "../seal/cookie_signer.ts";
import { fragmentFrame } from "../wire/fragment_frame.ts";
import type { Frame } from "../hub/frame.ts";
import type { LinkReport } from "../adapt/link_report.ts";
import { PeerLink, type PeerLinkStats } from "./peer_link.ts";
import { SEAL_OVERHEAD } from "../seal/datagram_seal.ts";
import type { HelloLimiter } from "./hello_limiter.ts";
import { type ReceiverReport, type SenderInfo } from "../wire/control.ts";
import { DATA_HEADER_SIZE, markResent } from "../wire/data.ts";
import { PacketType } from "../wire/header.ts";
import { type Nack } from "../wire/nack.ts";
import { SENDER_REJECTIONS, SenderGate, type SenderRejection } from "./sender_gate.ts";
import type { StreamSecret } from "../seal/stream_secret.ts";
import { Pacer } from "./pacer.ts";
import { parityDatagrams } from "../wire/parity_datagrams.ts";
import { receiveDatagrams } from "../util/receive_datagrams.ts";
import { type Peer, ReceiverRegistry, type RegistryEvent } from "./receiver_registry.ts";
import { SendHistory } from "./send_history.ts";
import { sleep } from "../util/sleep.ts";
import { SENDER_DEFAULTS } from "./sender_defaults.ts";

/** What the sender does with each receiver's frames; see {@linkcode UdpSenderOptions.fpsScale}. */
export type FpsScale = (receiver: string) => number;

/** Options for a {@linkcode UdpSender}. */
export interface UdpSenderOptions {
  /** A bound UDP socket; the sender owns it from now on. */
  socket: Deno.DatagramConn;
  /** The largest datagram, in bytes. @default {1200} */
  mtu?: number;
  /** The peak send rate, in bits per second. @default {400e6} */
  paceBitsPerSecond?: number;
  /** Datagrams sent back to back at most at the peak rate. @default {32} */
  burstPackets?: number;
  /**
   * Each frame's datagrams are sent evenly over this many ms (never more than
   * half the frame interval); 0 sends them as fast as the peak rate allows.
   * @default {4}
   */
  spreadMs?: number;
  /** Fragments per parity datagram (forward error correction); 0 for none. @default {0} */
  fecGroup?: number;
  /** A receiver silent this long, in ms, is dropped. @default {5000} */
  timeoutMs?: number;
  /** The most receivers at once. @default {32} */
  maxReceivers?: number;
  /** The session id. @default a random 32-bit number other than 0 */
  session?: number;
  /** Who this sender is, as its receivers show it. @default nothing said */
  info?: SenderInfo;
  /** Called on joins and leaves. */
  onEvent?: (event: RegistryEvent) => void;
  /** Called with what each receiver's report says about its link. */
  onLinkReport?: (receiver: string, report: LinkReport, now: number) => void;
  /** The fraction of frames each receiver gets, from 0 to 1. @default all of them */
  fpsScale?: FpsScale;
  /** The shared secret: with one, every datagram is sealed. @default none, in the clear */
  secret?: StreamSecret;
  /** Limits what addresses not streamed to get answered. @default a {@linkcode HelloLimiter} */
  limiter?: HelloLimiter;
  /**
   * Limits the answers to hellos that authenticate with the key, apart from `limiter`.
   * @default a {@linkcode HelloLimiter}
   */
  keyHolderLimiter?: HelloLimiter;
  /** Called for each datagram dropped, with its source (`host:port`) and why. */
  onRejected?: (address: string, reason: SenderRejection) => void;
}

/** The sender's network counters. */
export interface UdpSenderStats {
  /** Frames sent (once per frame, whatever the number of receivers). */
  framesSent: number;
  /** Datagrams sent, to all receivers, resends and parity included. */
  datagramsSent: number;
  /** Bytes sent, to all receivers, UDP payload only, resends and parity included. */
  bytesSent: number;
  /** Datagrams resent on a receiver's request. */
  resentDatagrams: number;
  /** Bytes resent on a receiver's request. */
  resentBytes: number;
  /** Parity datagrams sent. */
  parityDatagrams: number;
  /** Parity bytes sent. */
  parityBytes: number;
  /** NACKs answered. */
  nacks: number;
  /** NACKs ignored: not from a joined receiver with its cookie. */
  nacksRefused: number;
  /** Fragments asked for that were no longer held, or asked for too often. */
  resendsMissed: number;
  /** Resends left out because the receiver's resend budget was spent. */
  resendsSkipped: number;
  /** Sends the operating system refused. */
  sendErrors: number;
  /** Receives that failed (on Windows, ICMP errors from earlier sends). */
  receiveErrors: number;
  /** Datagrams received and dropped, by reason. */
  rejected: Record<SenderRejection, number>;
  /** Receivers now. */
  receivers: number;
  /** Each receiver's link. */
  links: PeerLinkStats[];
}

interface Outgoing {
  datagram: Uint8Array;
  address: Deno.NetAddr;
  /** The receiver's `host:port`, whose keys seal it. */
  key: string;
}

/**
 * The sender's network side: it answers the handshake on its socket, keeps
 * the list of receivers, sends each frame to all of them (fragmented at the
 * MTU, with optional parity, spread over a few ms), keeps the last second of
 * datagrams to answer NACKs, and passes each receiver's reports on.
 */
export class UdpSender {
  /** The session id, new each run. */
  readonly session: number;
  #socket: Deno.DatagramConn;
  #registry: ReceiverRegistry;
  #gate: SenderGate;
  #onRejected: (address: string, reason: SenderRejection) => void;
  #mtu: number;
  #spreadMs: number;
  #fecGroup: number;
  #pacer: Pacer;
  #history = new SendHistory();
  #links = new Map<string, PeerLink>();
  #resends: Outgoing[] = [];
  #sending = false;
  #draining = false;
  #frame = 0;
  #intervalMs = 1000 / 30;
  #lastCapture: number | undefined;
  #fpsScale: FpsScale;
  #onLinkReport: (receiver: string, report: LinkReport, now: number) => void;
  #expiry: ReturnType<typeof setInterval>;
  #closed = false;
  #listening: Promise<void>;
  #stats = {
    framesSent: 0,
    datagramsSent: 0,
    bytesSent: 0,
    resentDatagrams: 0,
    resentBytes: 0,
    parityDatagrams: 0,
    parityBytes: 0,
    nacks: 0,
    nacksRefused: 0,
    resendsMissed: 0,
    resendsSkipped: 0,
    sendErrors: 0,
    receiveErrors: 0,
    rejected: Object.fromEntries(SENDER_REJECTIONS.map((r) => [r, 0])) as Record<
      SenderRejection,
      number
    >,
  };

  /** Starts answering receivers on `options.socket`. */
  constructor(options: UdpSenderOptions) {
    this.#socket = options.socket;
    this.#mtu = options.mtu ?? SENDER_DEFAULTS.mtu;
    this.#spreadMs = options.spreadMs ?? SENDER_DEFAULTS.spreadMs;
    this.#fecGroup = options.fecGroup ?? 0;
    this.#fpsScale = options.fpsScale ?? (() => 1);
    this.#onLinkReport = options.onLinkReport ?? (() => {});
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
      burstBytes: (options.burstPackets ?? SENDER_DEFAULTS.burstPackets) * this.#mtu,
    });
    this.#expiry = setInterval(() => this.#registry.expire(wallClock()), 250);
    this.#listening = this.#listen();
  }

  /** The address the socket is bound to. */
  get addr(): Deno.NetAddr {
    return this.#socket.addr as Deno.NetAddr;
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
    const links = [...this.#links].map(([address, link]) => link.stats(address));
    return {
      ...this.#stats,
      rejected: { ...this.#stats.rejected },
      receivers: this.#registry.size,
      links,
    };
  }

  /**
   * Sends one frame to every receiver that is due one (see
   * {@linkcode UdpSenderOptions.fpsScale}); resolves when the last datagram is out.
   */
  async send(frame: Frame): Promise<void> {
    if (this.#closed) return;
    this.#measureInterval(frame.captureTime);
    const peers = this.#registry.peers.filter((peer) => {
      const link = this.#links.get(peer.key);
      return link === undefined || link.thinner.admit(this.#fpsScale(peer.key));
    });
    if (peers.length === 0) return;
    const number = this.#frame++;
    const datagrams = fragmentFrame(frame.data, frame.captureTime, {
      session: this.session,
      frame: number,
      mtu: this.#gate.sealed ? this.#mtu - SEAL_OVERHEAD : this.#mtu,
    });
    const now = performance.now();
    this.#history.add(number, datagrams, now);
    const parity = this.#fecGroup > 0 && datagrams.length > 1
      ? parityDatagrams(frame.data, frame.captureTime, {
        session: this.session,
        frame: number,
        fragmentSize: datagrams[0].length - DATA_HEADER_SIZE,
        groupSize: this.#fecGroup,
      })
      : [];
    const all = parity.length > 0 ? [...datagrams, ...parity] : datagrams;
    const total = all.length * peers.length;
    const spread = Math.min(this.#spreadMs, this.#intervalMs / 2);
    const gap = total > 1 ? spread / (total - 1) : 0;
    this.#sending = true;
    try {
      let sent = 0;
      for (let i = 0; i < all.length; i++) {
        const isParity = i >= datagrams.length;
        for (const peer of peers) {
          // Parity would only add to the load of a link already full.
          if (isParity && this.#links.get(peer.key)?.congested) continue;
          await this.#sendResends();
          const ahead = now + sent * gap - performance.now();
          if (ahead > 0.5) await sleep(ahead);
          // Sealed for each receiver with the keys of its join, as it goes,
          // so that the work spreads over the frame like the sends.
          const datagram = this.#gate.seal(all[i], peer.key);
          if (datagram === undefined) continue;
          if (!await this.#transmit(datagram, peer.address)) return;
          sent++;
          this.#links.get(peer.key)?.sent(datagram.length);
          if (isParity) {
            this.#stats.parityDatagrams++;
            this.#stats.parityBytes += datagram.length;
          }
        }
      }
      if (parity.length === 0 && datagrams.length > 1) {
        for (const peer of peers) {
          const link = this.#links.get(peer.key);
          if (link === undefined || !link.lossy) continue;
          // Sealed again, with its own nonce, and only for a lossy link: a copy is not a replay.
          const last = this.#gate.seal(datagrams[datagrams.length - 1], peer.key);
          if (last === undefined || !link.spend(last.length, false)) continue;
          if (!await this.#transmit(last, peer.address)) return;
          this.#stats.resentDatagrams++;
          this.#stats.resentBytes += last.length;
        }
      }
      this.#stats.framesSent++;
    } finally {
      this.#sending = false;
    }
    await this.#sendResends();
  }

  /** Says goodbye to every receiver, then closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#expiry);
    this.#history.clear();
    this.#resends = [];
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
    await this.#socket.send(datagram, to).catch(() => this.#stats.sendErrors++);
  }

  /** Sends one datagram through the pacer; false once closed. */
  async #transmit(datagram: Uint8Array, address: Deno.NetAddr): Promise<boolean> {
    const wait = this.#pacer.take(datagram.length, performance.now());
    if (wait > 0) await sleep(wait);
    if (this.#closed) return false;
    try {
      await this.#socket.send(datagram, address);
      this.#stats.datagramsSent++;
      this.#stats.bytesSent += datagram.length;
    } catch {
      this.#stats.sendErrors++;
    }
    return true;
  }

  async #sendResends(): Promise<void> {
    while (this.#resends.length > 0) {
      const { datagram, address, key } = this.#resends.shift()!;
      // Each copy is sealed with its own nonce, so that a copy is not a replay.
      const sealed = this.#gate.seal(datagram, key);
      if (sealed === undefined) continue;
      if (!await this.#transmit(sealed, address)) return;
      this.#stats.resentDatagrams++;
      this.#stats.resentBytes += datagram.length;
    }
  }

  #nack(packet: Nack, from: Deno.NetAddr, wallNow: number): void {
    const peer = this.#registry.verify(packet, from, wallNow);
    if (peer === undefined) {
      this.#stats.nacksRefused++;
      return;
    }
    this.#stats.nacks++;
    const now = performance.now();
    const link = this.#links.get(peer.key);
    const resends: Outgoing[] = [];
    for (const range of packet.ranges) {
      const { datagrams, missed, refused } = this.#history.take(peer.key, range, now);
      this.#stats.resendsMissed += missed + refused;
      for (const datagram of datagrams) {
        resends.push({ datagram: markResent(datagram), address: peer.address, key: peer.key });
      }
    }
    if (link === undefined) return;
    // On a lossy link a resend is lost as often as the original: send it twice
    // (the second copies after all the first), so one round trip nearly always does.
    const copies = link.lossy ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      for (const resend of resends) {
        if (link.spend(resend.datagram.length, copy === 0)) {
          this.#resends.push(resend);
        } else {
          this.#stats.resendsSkipped++;
        }
      }
    }
    // Between frames nothing else sends: resend at once.
    if (!this.#sending && !this.#draining) {
      this.#draining = true;
      this.#sendResends().finally(() => this.#draining = false);
    }
  }

  #report(peer: Peer, report: ReceiverReport, now: number): void {
    const change = this.#links.get(peer.key)?.report(report, now);
    if (change !== undefined) this.#onLinkReport(peer.key, change, now);
  }

  #measureInterval(captureTime: number): void {
    const last = this.#lastCapture;
    this.#lastCapture = captureTime;
    if (last === undefined) return;
    const gap = captureTime - last;
    if (gap > 0 && gap < 2000) this.#intervalMs = this.#intervalMs * 0.9 + gap * 0.1;
  }

  #listen(): Promise<void> {
    return receiveDatagrams(this.#socket, (datagram, from) => this.#take(datagram, from), {
      bufferSize: 2048,
      closed: () => this.#closed,
      onError: () => this.#stats.receiveErrors++,
    });
  }

  /** Answers or takes in one datagram from `from`. */
  async #take(datagram: Uint8Array, from: Deno.NetAddr): Promise<void> {
    const address = `${from.hostname}:${from.port}`;
    const now = wallClock();
    const peer = this.#registry.has(address);
    const taken = this.#gate.take(datagram, address, peer, performance.now());
    if (!taken.ok) {
      this.#stats.rejected[taken.reason]++;
      this.#onRejected(address, taken.reason);
      if (taken.reply !== undefined) await this.#reply(taken.reply, from);
      return;
    }
    if (taken.packet === undefined) {
      await this.#reply(taken.reply, from);
      return;
    }
    if (taken.packet.type === PacketType.NACK) {
      this.#nack(taken.packet, from, now);
      return;
    }
    const reply = this.#registry.handle(taken.packet, from, now);
    const sealed = reply === undefined ? undefined : this.#gate.seal(reply, address, taken.packet);
    if (sealed !== undefined) await this.#reply(sealed, from);
  }
}

function randomSession(): number {
  const [value] = crypto.getRandomValues(new Uint32Array(1));
  return value === 0 ? 1 : value;
}
