/**
 * The sender's side of the handshake: who may receive the stream. The file
 * runs past 300 lines because the handshake's rules are written out in the
 * class doc, and {@linkcode ReceiverRegistry.handle} answers every message
 * type in one switch, where the rules read against each other.
 *
 * @module
 */
import type { CookieSigner } from "../seal/cookie_signer.ts";
import { AddressProof, type ProvenAddress } from "./address_proof.ts";
import { encodeControl, type ReceiverReport, type SenderInfo } from "../wire/control.ts";
import { type Packet } from "../wire/decode_packet.ts";
import { RefusalReason } from "../wire/refused.ts";
import { PacketType } from "../wire/header.ts";
import { type Nack } from "../wire/nack.ts";

/** A receiver that proved it receives at its address. */
export interface Peer extends ProvenAddress {
  /** Where datagrams go. */
  address: Deno.NetAddr;
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
   * A receiver not heard from with a fresh cookie for this long, in ms, is
   * dropped.
   * @default {5000}
   */
  timeoutMs?: number;
  /**
   * A receiver whose cookie is older than this, in ms, must prove its address
   * again: each of its keepalives is answered with a CHALLENGE, a new cookie,
   * until it echoes one.
   * @default half the signer's `maxAgeMs`
   */
  reproveMs?: number;
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
  /** Joins, keepalives, NACKs and byes refused for a cookie that did not verify, or was too old. */
  badCookies: number;
  /** Control datagrams that were not for a sender, or not for this session. */
  ignored: number;
}

/**
 * The sender's side of the handshake: who may receive the stream. A hello earns
 * only a small challenge; video flows to an address only once it echoes the
 * cookie, and only while it keeps proving that it receives there:
 *
 * - a JOIN, keepalive or NACK counts only with a cookie younger than the
 *   signer's `maxAgeMs` (the receiver's own, or a newer one made for it),
 *   so one replayed later counts for nothing;
 * - once a receiver's cookie is `reproveMs` old, its keepalives are answered
 *   with a new challenge instead of an ACK; a receiver that gets it echoes the
 *   new cookie at once, and one that does not (it is gone, and someone else
 *   replays its datagrams) is dropped `timeoutMs` after its last fresh cookie;
 * - a receiver that leaves (goodbye or timeout) voids every cookie made
 *   before, for its address: a JOIN captured earlier, replayed after, is
 *   refused however young its cookie.
 *
 * With a key, the same holds, and more (see `sealed_joins.ts`): everything
 * a receiver sends after its JOIN is sealed with keys of that join alone and
 * checked against a replay window, so a capture played back counts for
 * nothing at once; and the new CHALLENGE is sealed with those keys, so only
 * that receiver can open it. A key holder that joined from an address and
 * then lost it (or spoofs it) can seal keepalives of its own, but it never
 * gets the new cookies sent there: video stops going there 15 s after its
 * last cookie was made, as for anyone.
 *
 * Pure apart from the cookie's keyed hash: it returns the reply to send and
 * never touches a socket.
 */
export class ReceiverRegistry {
  #session: number;
  #signer: CookieSigner;
  #info: SenderInfo | undefined;
  #timeoutMs: number;
  #reproveMs: number;
  #maxReceivers: number;
  #onEvent: (event: RegistryEvent) => void;
  #onReport: (peer: Peer, report: ReceiverReport, now: number) => void;
  #peers = new Map<string, Peer>();
  #proof: AddressProof;
  #stats: RegistryStats = { hellos: 0, badCookies: 0, ignored: 0 };

  /** Creates an empty registry. */
  constructor(options: ReceiverRegistryOptions) {
    this.#session = options.session;
    this.#signer = options.signer;
    this.#proof = new AddressProof(options.signer);
    this.#info = options.info;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#reproveMs = options.reproveMs ?? this.#signer.maxAgeMs / 2;
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
        if (peer !== undefined && peer.receiver === packet.receiver) {
          // Its join again: its ACK was lost, or it answers a new challenge.
          if (this.#proof.check(peer, packet.cookie, now) !== true) {
            this.#stats.badCookies++;
            return undefined;
          }
          peer.lastSeen = now;
          return this.#ack(packet.receiver, packet.time, now);
        }
        const madeAt = this.#proof.prove(packet.cookie, key, packet.receiver, now);
        if (madeAt === undefined) {
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
        if (peer !== undefined) this.#remove(peer, "replaced", now);
        this.#peers.set(key, {
          key,
          address: from,
          receiver: packet.receiver,
          cookie: packet.cookie,
          cookieMadeAt: madeAt,
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
      case PacketType.KEEPALIVE: {
        if (peer === undefined || packet.session !== this.#session) {
          // A receiver of an earlier run of this sender, or one that timed out:
          // answer as to a hello, so it joins again.
          return this.#challenge(key, packet.receiver, packet.time, now);
        }
        const fresh = peer.receiver === packet.receiver
          ? this.#proof.check(peer, packet.cookie, now)
          : undefined;
        if (fresh === undefined) {
          this.#stats.badCookies++;
          return undefined;
        }
        if (fresh) {
          peer.lastSeen = now;
          this.#onReport(peer, packet.report, now);
        } else {
          this.#stats.badCookies++;
        }
        // A new cookie, which only a receiver at this address can echo.
        return now - peer.cookieMadeAt > this.#reproveMs
          ? this.#challenge(key, packet.receiver, packet.time, now)
          : this.#ack(packet.receiver, packet.time, now);
      }
      case PacketType.BYE:
        if (
          peer !== undefined && packet.session === this.#session &&
          peer.receiver === packet.receiver &&
          this.#proof.check(peer, packet.cookie, now) !== undefined
        ) {
          this.#remove(peer, "bye", now);
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
   * The joined receiver a NACK from `from` comes from at `now` (ms), if it
   * carries that receiver's id, a fresh cookie of its, and this session;
   * otherwise `undefined`, and the NACK must be ignored.
   */
  verify(packet: Nack, from: Deno.NetAddr, now: number): Peer | undefined {
    const peer = this.#peers.get(`${from.hostname}:${from.port}`);
    if (
      peer === undefined || packet.session !== this.#session ||
      peer.receiver !== packet.receiver ||
      this.#proof.check(peer, packet.cookie, now) !== true
    ) {
      this.#stats.badCookies++;
      return undefined;
    }
    return peer;
  }

  /** Drops the receivers not heard from with a fresh cookie for longer than the timeout at `now`. */
  expire(now: number): void {
    for (const peer of this.#peers.values()) {
      if (now - peer.lastSeen > this.#timeoutMs) this.#remove(peer, "timeout", now);
    }
    this.#proof.prune(now);
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
      this.#remove(peer, "shutdown", undefined);
    }
    return byes;
  }

  /**
   * Removes a receiver that left at `now` (ms), which voids the cookies made
   * for its address until then; `undefined` when the sender closes.
   */
  #remove(peer: Peer, reason: LeaveReason, now: number | undefined): void {
    this.#peers.delete(peer.key);
    if (now !== undefined) this.#proof.left(peer.key, now);
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
