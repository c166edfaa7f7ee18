import type { CookieSigner } from "./cookie_signer.ts";
import { timingSafeEqual } from "./cookie_signer.ts";
import {
  encodeControl,
  type Nack,
  type Packet,
  PacketType,
  type ReceiverReport,
  RefusalReason,
  type SenderInfo,
} from "./packet.ts";

/** A receiver that proved it receives at its address. */
export interface Peer {
  /** `host:port`, the key of the peer. */
  key: string;
  /** Where datagrams go. */
  address: Deno.NetAddr;
  /** The id the receiver chose. */
  receiver: number;
  /** The cookie it echoed; later keepalives and byes must carry it. */
  cookie: Uint8Array;
  /** When it joined (ms). */
  joinedAt: number;
  /** When it was last heard from (ms). */
  lastSeen: number;
}

/** Why a receiver is no longer streamed to. */
export type LeaveReason = "bye" | "timeout" | "shutdown" | "replaced";

/** What the registry reports to the sender's log. */
export type RegistryEvent =
  | { type: "receiver_joined"; address: string; receiver: number; receivers: number }
  | {
    type: "receiver_left";
    address: string;
    receiver: number;
    reason: LeaveReason;
    receivers: number;
  }
  | { type: "receiver_refused"; address: string; receiver: number; reason: "full" };

/** Options for a {@linkcode ReceiverRegistry}. */
export interface ReceiverRegistryOptions {
  /** This sender's session id. */
  session: number;
  /** Makes and checks the cookies. */
  signer: CookieSigner;
  /** Who the sender is: each ACK carries it. @default nothing said */
  info?: SenderInfo;
  /**
   * A receiver silent for this long, in ms, is dropped.
   * @default {5000}
   */
  timeoutMs?: number;
  /**
   * The most receivers streamed to at once.
   * @default {32}
   */
  maxReceivers?: number;
  /** Called for each join, leave and refusal. */
  onEvent?: (event: RegistryEvent) => void;
  /** Called with each joined receiver's report, from its keepalives. */
  onReport?: (peer: Peer, report: ReceiverReport, now: number) => void;
}

/** Counters of control traffic. */
export interface RegistryStats {
  /** Hellos answered with a challenge. */
  hellos: number;
  /** Joins refused for a cookie that did not verify. */
  badCookies: number;
  /** Control datagrams that were not for a sender, or not for this session. */
  ignored: number;
}

/**
 * The sender's side of the handshake: who may receive the stream. A hello earns
 * only a small challenge; video flows to an address only once it echoes the
 * cookie; a receiver that stays silent for `timeoutMs` is dropped. Pure apart
 * from the cookie's keyed hash: it returns the reply to send and never touches
 * a socket.
 */
export class ReceiverRegistry {
  #session: number;
  #signer: CookieSigner;
  #info: SenderInfo | undefined;
  #timeoutMs: number;
  #maxReceivers: number;
  #onEvent: (event: RegistryEvent) => void;
  #onReport: (peer: Peer, report: ReceiverReport, now: number) => void;
  #peers = new Map<string, Peer>();
  #stats: RegistryStats = { hellos: 0, badCookies: 0, ignored: 0 };

  /** Creates an empty registry. */
  constructor(options: ReceiverRegistryOptions) {
    this.#session = options.session;
    this.#signer = options.signer;
    this.#info = options.info;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#maxReceivers = options.maxReceivers ?? 32;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#onReport = options.onReport ?? (() => {});
  }

  /** The receivers streamed to now. */
  get peers(): Peer[] {
    return [...this.#peers.values()];
  }

  /** How many receivers are streamed to now. */
  get size(): number {
    return this.#peers.size;
  }

  /** Whether `address` (`host:port`) is a receiver streamed to. */
  has(address: string): boolean {
    return this.#peers.has(address);
  }

  /** Counters of control traffic. */
  get stats(): RegistryStats {
    return { ...this.#stats };
  }

  /**
   * Handles one control datagram from `from` at `now` (ms, wall clock) and
   * returns the reply to send back to `from`, if any.
   */
  handle(packet: Packet, from: Deno.NetAddr, now: number): Uint8Array | undefined {
    const key = `${from.hostname}:${from.port}`;
    const peer = this.#peers.get(key);
    switch (packet.type) {
      case PacketType.HELLO:
        return this.#challenge(key, packet.receiver, packet.time, now);
      case PacketType.JOIN: {
        if (packet.session !== this.#session) {
          return this.#challenge(key, packet.receiver, packet.time, now);
        }
        if (
          peer !== undefined && peer.receiver === packet.receiver &&
          timingSafeEqual(peer.cookie, packet.cookie)
        ) {
          // A join repeated because its ack was lost.
          peer.lastSeen = now;
          return this.#ack(packet.receiver, packet.time, now);
        }
        if (!this.#signer.verify(packet.cookie, key, packet.receiver, now)) {
          this.#stats.badCookies++;
          return undefined;
        }
        if (peer === undefined && this.#peers.size >= this.#maxReceivers) {
          this.#onEvent({
            type: "receiver_refused",
            address: key,
            receiver: packet.receiver,
            reason: "full",
          });
          return encodeControl({
            type: PacketType.REFUSED,
            session: this.#session,
            reason: RefusalReason.FULL,
          });
        }
        // A new receiver at the address of an old one (it restarted): the old one has left.
        if (peer !== undefined) this.#remove(peer, "replaced");
        this.#peers.set(key, {
          key,
          address: from,
          receiver: packet.receiver,
          cookie: packet.cookie,
          joinedAt: now,
          lastSeen: now,
        });
        this.#onEvent({
          type: "receiver_joined",
          address: key,
          receiver: packet.receiver,
          receivers: this.#peers.size,
        });
        return this.#ack(packet.receiver, packet.time, now);
      }
      case PacketType.KEEPALIVE:
        if (peer === undefined || packet.session !== this.#session) {
          // A receiver of an earlier run of this sender, or one that timed out:
          // answer as to a hello, so it joins again.
          return this.#challenge(key, packet.receiver, packet.time, now);
        }
        if (peer.receiver !== packet.receiver || !timingSafeEqual(peer.cookie, packet.cookie)) {
          this.#stats.badCookies++;
          return undefined;
        }
        peer.lastSeen = now;
        this.#onReport(peer, packet.report, now);
        return this.#ack(packet.receiver, packet.time, now);
      case PacketType.BYE:
        if (
          peer !== undefined && packet.session === this.#session &&
          peer.receiver === packet.receiver && timingSafeEqual(peer.cookie, packet.cookie)
        ) {
          this.#remove(peer, "bye");
        } else {
          this.#stats.ignored++;
        }
        return undefined;
      default:
        this.#stats.ignored++;
        return undefined;
    }
  }

  /**
   * The joined receiver a NACK from `from` comes from, if it carries that
   * receiver's id and cookie and this session; otherwise `undefined`, and the
   * NACK must be ignored.
   */
  verify(packet: Nack, from: Deno.NetAddr): Peer | undefined {
    const peer = this.#peers.get(`${from.hostname}:${from.port}`);
    if (
      peer === undefined || packet.session !== this.#session ||
      peer.receiver !== packet.receiver || !timingSafeEqual(peer.cookie, packet.cookie)
    ) {
      this.#stats.badCookies++;
      return undefined;
    }
    return peer;
  }

  /** Drops the receivers silent for longer than the timeout at `now`. */
  expire(now: number): void {
    for (const peer of this.#peers.values()) {
      if (now - peer.lastSeen > this.#timeoutMs) this.#remove(peer, "timeout");
    }
  }

  /** Removes every receiver and returns the goodbye datagram for each. */
  close(): Array<[Peer, Uint8Array]> {
    const byes: Array<[Peer, Uint8Array]> = [];
    for (const peer of this.#peers.values()) {
      byes.push([
        peer,
        encodeControl({
          type: PacketType.BYE,
          session: this.#session,
          receiver: peer.receiver,
          cookie: peer.cookie,
        }),
      ]);
      this.#remove(peer, "shutdown");
    }
    return byes;
  }

  #remove(peer: Peer, reason: LeaveReason): void {
    this.#peers.delete(peer.key);
    this.#onEvent({
      type: "receiver_left",
      address: peer.key,
      receiver: peer.receiver,
      reason,
      receivers: this.#peers.size,
    });
  }

  #challenge(key: string, receiver: number, time: number, now: number): Uint8Array {
    this.#stats.hellos++;
    return encodeControl({
      type: PacketType.CHALLENGE,
      session: this.#session,
      receiver,
      echoTime: time,
      senderTime: now,
      cookie: this.#signer.sign(key, receiver, now),
    });
  }

  #ack(receiver: number, echoTime: number, now: number): Uint8Array {
    return encodeControl({
      type: PacketType.ACK,
      session: this.#session,
      receiver,
      echoTime,
      senderTime: now,
      info: this.#info,
    });
  }
}
