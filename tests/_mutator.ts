/**
 * Hostile datagrams for fuzzing: random bytes, and real datagrams truncated,
 * flipped, overwritten with huge counts and offsets, given the wrong session,
 * replayed as they were, or sealed with the wrong key; with a key, also
 * handshakes played back (of this run, or recorded from another), and what a
 * holder of the key forges: handshake datagrams sealed with the hello key,
 * and datagrams sealed with its own join's keys, their counters far ahead.
 *
 * @module
 */
import { NONCE_SIZE, sealDatagram } from "../lib/seal/datagram_seal.ts";
import { fragmentFrame } from "../lib/wire/fragment_frame.ts";
import {
  EMPTY_REPORT,
  encodeControl,
  encodeNack,
  HEADER_SIZE,
  PacketType,
  SEALED_BIT,
} from "../lib/wire/mod.ts";
import { NonceSequence } from "../lib/seal/nonce_sequence.ts";
import { SessionCipher } from "../lib/seal/session_cipher.ts";
import { tinyJpeg } from "./_attack.ts";
import type { KeyHolder } from "./_key_holder.ts";
import type { Random } from "./_random.ts";

/** The kinds of mutation any stream gets, each chosen about as often. */
export const MUTATIONS = [
  "random",
  "truncated",
  "flipped",
  "huge",
  "session",
  "type",
  "replay",
  "wrongKey",
  "unsealed",
] as const;

/** The kinds a keyed stream gets too. */
export const KEYED_MUTATIONS = [
  "handshakeReplay",
  "oldHandshake",
  "keyHolder",
  "counterJump",
] as const;

/** One of {@linkcode MUTATIONS} or {@linkcode KEYED_MUTATIONS}. */
export type Mutation = typeof MUTATIONS[number] | typeof KEYED_MUTATIONS[number];

/** What a keyed stream's mutations draw on. */
export interface KeyedMaterial {
  /** Handshake datagrams of another run of the sender, with the same key, both ways. */
  oldHandshakes: Uint8Array[];
  /** Handshake datagrams of this run, to the sender and from it. */
  handshakes: { up: Uint8Array[]; down: Uint8Array[] };
  /** A holder of the key, joined to the sender. */
  keyHolder: KeyHolder;
}

const HUGE = [0, 1, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0xffffffff];
const FAR_COUNTERS = [2 ** 32, 2 ** 48, 2 ** 50, Number.MAX_SAFE_INTEGER];

/** Makes hostile datagrams from samples of real ones. */
export class Mutator {
  #random: Random;
  #keyed: KeyedMaterial | undefined;
  #wrongKey = new SessionCipher({
    sendKey: crypto.getRandomValues(new Uint8Array(16)),
    receiveKey: crypto.getRandomValues(new Uint8Array(16)),
    nonces: NonceSequence.random(),
  });
  #wrongHelloKey = crypto.getRandomValues(new Uint8Array(16));

  /** A mutator drawing from `random`, with what a keyed stream's attacks need. */
  constructor(random: Random, keyed?: KeyedMaterial) {
    this.#random = random;
    this.#keyed = keyed;
  }

  /** The kinds of mutation this mutator makes. */
  get kinds(): readonly Mutation[] {
    return this.#keyed === undefined ? MUTATIONS : [...MUTATIONS, ...KEYED_MUTATIONS];
  }

  /**
   * One hostile datagram from `samples` (real datagrams going the same way;
   * may be empty), to the sender if `toSender`, and how it was made.
   */
  next(samples: readonly Uint8Array[], toSender: boolean): [Mutation, Uint8Array] {
    const r = this.#random;
    const kind = samples.length === 0 ? "random" : r.pick(this.kinds);
    const real = samples.length === 0 ? new Uint8Array(0) : r.pick(samples);
    switch (kind) {
      case "random":
        return [kind, r.bytes(r.int(0, 1500))];
      case "truncated":
        return [kind, real.slice(0, r.int(0, Math.max(0, real.length - 1)))];
      case "flipped": {
        const bytes = real.slice();
        for (let i = r.int(1, 8); i > 0 && bytes.length > 0; i--) {
          bytes[r.int(0, bytes.length - 1)] ^= 1 << r.int(0, 7);
        }
        return [kind, bytes];
      }
      case "huge": {
        // Counts, lengths, indexes and offsets: every field after the header.
        const bytes = real.slice();
        const view = new DataView(bytes.buffer);
        for (let i = r.int(1, 4); i > 0 && bytes.length >= HEADER_SIZE + 4; i--) {
          const at = r.int(HEADER_SIZE, bytes.length - 4);
          if (r.chance(0.5)) view.setUint32(at, r.pick(HUGE));
          else view.setUint16(at, r.pick(HUGE) & 0xffff);
        }
        return [kind, bytes];
      }
      case "session": {
        const bytes = real.slice();
        if (bytes.length >= HEADER_SIZE) new DataView(bytes.buffer).setUint32(4, r.uint32());
        return [kind, bytes];
      }
      case "type": {
        const bytes = real.slice();
        if (bytes.length > 3) bytes[3] = r.int(0, 255);
        return [kind, bytes];
      }
      case "replay":
        return [kind, real];
      case "wrongKey": {
        const plain = real.slice();
        if (plain.length >= HEADER_SIZE) plain[3] &= ~SEALED_BIT;
        if (plain.length < HEADER_SIZE) return [kind, plain];
        const nonce = crypto.getRandomValues(new Uint8Array(NONCE_SIZE));
        return [
          kind,
          r.chance(0.3)
            ? sealDatagram(plain, this.#wrongHelloKey, nonce)
            : this.#wrongKey.seal(plain),
        ];
      }
      case "unsealed": {
        const bytes = real.slice();
        if (bytes.length >= HEADER_SIZE) bytes[3] &= ~SEALED_BIT;
        return [kind, bytes];
      }
      case "handshakeReplay": {
        const { up, down } = this.#keyed!.handshakes;
        const recorded = toSender ? up : down;
        return [kind, recorded.length > 0 ? r.pick(recorded) : real];
      }
      case "oldHandshake":
        return [kind, r.pick(this.#keyed!.oldHandshakes)];
      case "keyHolder":
        return [kind, this.#helloKeyForgery(toSender)];
      case "counterJump":
        return [kind, this.#joinKeyForgery(toSender)];
    }
  }

  /** A handshake datagram a holder of the key makes up, sealed with the hello key. */
  #helloKeyForgery(toSender: boolean): Uint8Array {
    const r = this.#random;
    const holder = this.#keyed!.keyHolder;
    const session = holder.session;
    const receiver = r.chance(0.5) ? holder.receiver : r.uint32();
    const nonce = r.bytes(12);
    const share = r.bytes(32);
    const cookie = r.bytes(16);
    const plain = toSender
      ? r.chance(0.5)
        ? encodeControl({ type: PacketType.HELLO, session, receiver, time: Date.now(), nonce })
        : encodeControl({ type: PacketType.JOIN, session, receiver, time: 0, cookie, nonce, share })
      : r.chance(0.5)
      ? encodeControl({
        type: PacketType.CHALLENGE,
        session,
        receiver,
        echoTime: Date.now(),
        senderTime: 0,
        cookie,
        nonce,
        share,
      })
      : encodeControl({
        type: PacketType.REFUSED,
        session,
        reason: r.pick([1, 2, 3, 4, 5] as const),
        echo: nonce,
      });
    return holder.secret.sealHello(plain);
  }

  /**
   * A datagram a holder of the key seals with its own join's keys, as the
   * sender does to it or as it does to the sender, its counter far ahead.
   */
  #joinKeyForgery(toSender: boolean): Uint8Array {
    const r = this.#random;
    const holder = this.#keyed!.keyHolder;
    const session = holder.session;
    const counter = r.pick(FAR_COUNTERS) - r.int(0, 1000);
    if (!toSender) {
      const frame = holder.latestFrame + r.int(1, 3);
      const [data] = fragmentFrame(tinyJpeg(frame & 0xff), Date.now(), {
        session,
        frame,
        mtu: 1172,
      });
      return holder.sealAsSender(data, counter);
    }
    const receiver = holder.receiver;
    const cookie = r.bytes(16);
    const plain = r.pick([
      () => encodeControl({ type: PacketType.BYE, session, receiver, cookie }),
      () =>
        encodeControl({
          type: PacketType.KEEPALIVE,
          session,
          receiver,
          time: Date.now(),
          cookie,
          report: EMPTY_REPORT,
        }),
      () =>
        encodeNack({
          session,
          receiver,
          cookie,
          ranges: [{ frame: Math.max(0, holder.latestFrame), index: 0, count: 0x7ffe }],
        }),
    ])();
    return holder.sealAsReceiver(plain, counter);
  }
}
