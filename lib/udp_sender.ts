import { wallClock } from "./clock.ts";
import { CookieSigner } from "./cookie_signer.ts";
import { fragmentFrame } from "./fragment_frame.ts";
import type { Frame } from "./frame.ts";
import { decodePacket, type RejectReason } from "./packet.ts";
import { Pacer } from "./pacer.ts";
import { pauseAfterErrors } from "./pause_after_errors.ts";
import { ReceiverRegistry, type RegistryEvent } from "./receiver_registry.ts";
import { sleep } from "./sleep.ts";

/** The sender's defaults, shared with its flags and help. */
export const SENDER_DEFAULTS = {
  /** The largest datagram: small enough never to be IP-fragmented on a real network. */
  mtu: 1200,
  /** The peak send rate, in Mbit/s. */
  paceMbps: 400,
  /** Datagrams sent back to back at most: a third of a receiver's default socket buffer. */
  burstPackets: 32,
  /** The most receivers at once. */
  maxReceivers: 32,
} as const;

/** Options for a {@linkcode UdpSender}. */
export interface UdpSenderOptions {
  /** A bound UDP socket; the sender owns it from now on. */
  socket: Deno.DatagramConn;
  /** The largest datagram, in bytes. @default {1200} */
  mtu?: number;
  /** The peak send rate, in bits per second. @default {400e6} */
  paceBitsPerSecond?: number;
  /** Datagrams sent back to back at most. @default {32} */
  burstPackets?: number;
  /** A receiver silent this long, in ms, is dropped. @default {5000} */
  timeoutMs?: number;
  /** The most receivers at once. @default {32} */
  maxReceivers?: number;
  /** The session id. @default a random 32-bit number other than 0 */
  session?: number;
  /** Called on joins and leaves. */
  onEvent?: (event: RegistryEvent) => void;
}

/** The sender's network counters. */
export interface UdpSenderStats {
  /** Frames sent (once per frame, whatever the number of receivers). */
  framesSent: number;
  /** Datagrams sent, to all receivers. */
  datagramsSent: number;
  /** Bytes sent, to all receivers, UDP payload only. */
  bytesSent: number;
  /** Sends the operating system refused. */
  sendErrors: number;
  /** Receives that failed (on Windows, ICMP errors from earlier sends). */
  receiveErrors: number;
  /** Datagrams received that were not udpcam control messages, by reason. */
  rejected: Record<RejectReason, number>;
  /** Receivers now. */
  receivers: number;
}

/**
 * The sender's network side: it answers the handshake on its socket, keeps
 * the list of receivers, and sends each frame to all of them, fragmented at
 * the MTU and paced so that no burst overflows a receiver's socket buffer.
 */
export class UdpSender {
  /** The session id, new each run. */
  readonly session: number;
  #socket: Deno.DatagramConn;
  #registry: ReceiverRegistry;
  #mtu: number;
  #pacer: Pacer;
  #frame = 0;
  #expiry: ReturnType<typeof setInterval>;
  #closed = false;
  #listening: Promise<void>;
  #stats = {
    framesSent: 0,
    datagramsSent: 0,
    bytesSent: 0,
    sendErrors: 0,
    receiveErrors: 0,
    rejected: { short: 0, foreign: 0, version: 0, type: 0, malformed: 0 },
  };

  /** Starts answering receivers on `options.socket`. */
  constructor(options: UdpSenderOptions) {
    this.#socket = options.socket;
    this.#mtu = options.mtu ?? SENDER_DEFAULTS.mtu;
    this.session = options.session ?? randomSession();
    this.#registry = new ReceiverRegistry({
      session: this.session,
      signer: new CookieSigner(),
      timeoutMs: options.timeoutMs,
      maxReceivers: options.maxReceivers ?? SENDER_DEFAULTS.maxReceivers,
      onEvent: options.onEvent,
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

  /** How many receivers are streamed to now. */
  get receivers(): number {
    return this.#registry.size;
  }

  /** The counters so far. */
  get stats(): UdpSenderStats {
    return {
      ...this.#stats,
      rejected: { ...this.#stats.rejected },
      receivers: this.#registry.size,
    };
  }

  /** Sends one frame to every receiver; resolves when the last datagram is out. */
  async send(frame: Frame): Promise<void> {
    const peers = this.#registry.peers;
    if (peers.length === 0 || this.#closed) return;
    const datagrams = fragmentFrame(frame.data, frame.captureTime, {
      session: this.session,
      frame: this.#frame++,
      mtu: this.#mtu,
    });
    const stats = this.#stats;
    for (const datagram of datagrams) {
      for (const peer of peers) {
        const wait = this.#pacer.take(datagram.length, performance.now());
        if (wait > 0) await sleep(wait);
        if (this.#closed) return;
        try {
          await this.#socket.send(datagram, peer.address);
          stats.datagramsSent++;
          stats.bytesSent += datagram.length;
        } catch {
          stats.sendErrors++;
        }
      }
    }
    stats.framesSent++;
  }

  /** Says goodbye to every receiver, then closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#expiry);
    for (const [peer, bye] of this.#registry.close()) {
      await this.#socket.send(bye, peer.address).catch(() => {});
    }
    this.#socket.close();
    await this.#listening;
  }

  async #listen(): Promise<void> {
    const buffer = new Uint8Array(2048);
    while (!this.#closed) {
      let datagram: Uint8Array;
      let from: Deno.Addr;
      try {
        [datagram, from] = await this.#socket.receive(buffer);
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource) return;
        // Windows reports an earlier send's ICMP "port unreachable" on the next
        // receive; it says nothing about this socket, so go on, without spinning
        // if the error persists.
        this.#stats.receiveErrors++;
        await pauseAfterErrors(this.#stats.receiveErrors);
        continue;
      }
      const decoded = decodePacket(datagram);
      if (!decoded.ok) {
        this.#stats.rejected[decoded.reason]++;
        continue;
      }
      const reply = await this.#registry.handle(decoded.packet, from as Deno.NetAddr, wallClock());
      if (reply !== undefined && !this.#closed) {
        await this.#socket.send(reply, from).catch(() => this.#stats.sendErrors++);
      }
    }
  }
}

function randomSession(): number {
  const [value] = crypto.getRandomValues(new Uint32Array(1));
  return value === 0 ? 1 : value;
}
