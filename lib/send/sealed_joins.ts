import { KeyShare } from "../seal/key_share.ts";
import { NonceSequence } from "../seal/nonce_sequence.ts";
import { ReplayWindow } from "../seal/replay_window.ts";
import type { SessionCipher } from "../seal/session_cipher.ts";
import type { StreamSecret } from "../seal/stream_secret.ts";
import { encodeControl } from "../wire/control.ts";
import { type Decoded, decodePacket, type Packet } from "../wire/decode_packet.ts";
import { type Join } from "../wire/handshake.ts";
import { OFFSET_TYPE, PacketType, sessionOf, typeOf } from "../wire/header.ts";
import { echoOf, RefusalReason, type RefusalReasonCode } from "../wire/refused.ts";
import type { GateResult } from "./sender_rejection.ts";
import type { Shaped } from "./shape_of.ts";

/**
 * How many hello nonces of accepted JOINs the sender remembers, to refuse
 * them again: a JOIN's cookie is good for 10 s at most (see
 * `cookie_signer.ts`), and this many joins take far longer than that at the
 * rate hellos are answered.
 */
const SPENT_NONCES = 16_384;

/** The keys of one join, and what has come under them. */
interface JoinKeys {
  cipher: SessionCipher;
  window: ReplayWindow;
  /** The hello nonce of the join, as a key. */
  nonce: string;
  /** The id of the receiver that joined. */
  receiver: number;
}

/** Options for {@linkcode SealedJoins}. */
export interface SealedJoinsOptions {
  /** The sender's session id. */
  session: number;
  /** The shared secret. */
  secret: StreamSecret;
}

/**
 * The sealed side of a sender with a key: each receiver's join makes keys of
 * its own (see `stream_secret.ts`), which open and check what it seals and
 * seal everything sent to it. It opens the hellos and joins sealed with the
 * hello key, refuses replays, and answers what it cannot open with a REFUSED
 * that says why. Pure: it never touches a socket.
 */
export class SealedJoins {
  #session: number;
  #secret: StreamSecret;
  #share = new KeyShare();
  /** One sequence for every join's keys: no nonce repeats in a run, whatever the keys. */
  #nonces = new NonceSequence();
  #joins = new Map<string, JoinKeys>();
  /** Hello nonces of JOINs taken, oldest first. */
  #spent = new Set<string>();

  /** The joins of one sender run, with `options.secret`. */
  constructor(options: SealedJoinsOptions) {
    this.#session = options.session;
    this.#secret = options.secret;
  }

  /**
   * Takes a datagram shaped as a sealed one of a receiver's (`shape`), from
   * `from` (`host:port`; `peer` if it is a receiver streamed to); `hello`,
   * for a HELLO, what opening it gave (`undefined` if it did not open).
   */
  take(
    datagram: Uint8Array,
    { renewal }: Shaped,
    from: string,
    peer: boolean,
    hello: Uint8Array | undefined,
  ): GateResult {
    const secret = this.#secret;
    const type = typeOf(datagram);
    if (type === PacketType.HELLO) return this.#takeHandshake(datagram, from, hello);
    const keys = this.#joins.get(from);
    // A joined receiver echoes a new cookie in a JOIN without the key tail,
    // sealed with the keys of its join; a JOIN that joins has the tail, and
    // the hello key.
    if (type === PacketType.JOIN && !renewal) {
      return this.#takeHandshake(datagram, from, secret.openHello(datagram));
    }
    if (keys === undefined) {
      // A receiver of an earlier run, or one dropped: it should say hello
      // again, and its keepalives are told so. A JOIN shaped as one that
      // echoes a new cookie gets no answer: from anyone else it would be
      // an answer to a spoofed address for nothing.
      if (peer) return { ok: false, reason: "wrongKey" };
      const reply = type === PacketType.JOIN
        ? undefined
        : this.announce(RefusalReason.STALE, datagram);
      return { ok: false, reason: "stale", reply };
    }
    return this.#takeSession(datagram, keys);
  }

  /**
   * Seals `plain` to go to `to`, the answer to `answering` if it answers a
   * datagram; `undefined` if there are no keys to seal it with. See
   * `SenderGate.seal`.
   */
  seal(plain: Uint8Array, to: string, answering?: Packet): Uint8Array | undefined {
    const secret = this.#secret;
    switch (plain[OFFSET_TYPE]) {
      case PacketType.CHALLENGE: {
        if (answering?.type === PacketType.KEEPALIVE) break;
        const challenge = decodePacket(plain);
        if (answering?.type !== PacketType.HELLO || answering.nonce === undefined) return undefined;
        if (!challenge.ok || challenge.packet.type !== PacketType.CHALLENGE) return undefined;
        const tailed = { ...challenge.packet, nonce: answering.nonce, share: this.#share.share };
        return secret.sealHello(encodeControl(tailed));
      }
      case PacketType.REFUSED: {
        const refused = decodePacket(plain);
        if (answering?.type !== PacketType.JOIN || answering.nonce === undefined) return undefined;
        if (!refused.ok || refused.packet.type !== PacketType.REFUSED) return undefined;
        return secret.sealHello(encodeControl({ ...refused.packet, echo: answering.nonce }));
      }
      case PacketType.ACK:
        // A JOIN with the key tail is a new join; one without answers a new cookie.
        if (
          answering?.type === PacketType.JOIN && answering.nonce !== undefined &&
          !this.#use(to, answering)
        ) {
          return undefined;
        }
    }
    return this.#joins.get(to)?.cipher.seal(plain);
  }

  /** Forgets the keys of a receiver that left. */
  left(address: string): void {
    this.#joins.delete(address);
  }

  /**
   * A REFUSED in the clear that tells a receiver with the key what to stretch
   * it with and answers `datagram`: 40 bytes, a sealed datagram being 36 at
   * least and a HELLO 32.
   */
  announce(reason: RefusalReasonCode, datagram: Uint8Array): Uint8Array {
    return encodeControl({
      type: PacketType.REFUSED,
      session: this.#session,
      reason,
      echo: echoOf(datagram),
      salt: this.#secret.salt,
    });
  }

  /**
   * A datagram sealed with the keys of a join: a KEEPALIVE, NACK or BYE, or
   * a JOIN without the key tail that echoes a new cookie.
   */
  #takeSession(datagram: Uint8Array, keys: JoinKeys): GateResult {
    const opened = keys.cipher.open(datagram);
    if (opened === undefined) return { ok: false, reason: "wrongKey" };
    if (!keys.window.accept(opened.counter)) return { ok: false, reason: "replayed" };
    const decoded = decodePacket(opened.plain);
    if (!decoded.ok) return decoded;
    const packet = decoded.packet;
    const inner = packet.type;
    // Only the receiver that joined with these keys echoes a new cookie with them.
    if (inner === PacketType.JOIN) {
      return packet.nonce === undefined && packet.receiver === keys.receiver
        ? decoded
        : { ok: false, reason: "malformed" };
    }
    return inner === PacketType.KEEPALIVE || inner === PacketType.NACK || inner === PacketType.BYE
      ? decoded
      : { ok: false, reason: "malformed" };
  }

  /**
   * A HELLO or JOIN, sealed with the hello key; `plain` what it holds, once
   * opened, or `undefined` if it did not open.
   */
  #takeHandshake(datagram: Uint8Array, from: string, plain: Uint8Array | undefined): GateResult {
    const type = typeOf(datagram);
    if (plain === undefined) {
      const session = sessionOf(datagram);
      if (session !== this.#session && session !== 0) {
        // Sealed for an earlier run of this sender: its salt is another.
        return { ok: false, reason: "stale", reply: this.announce(RefusalReason.STALE, datagram) };
      }
      // A HELLO names this session, or none (a receiver of an older udpcam): the keys differ.
      const reply = type === PacketType.HELLO
        ? encodeControl({
          type: PacketType.REFUSED,
          session: this.#session,
          reason: RefusalReason.WRONG_KEY,
          echo: echoOf(datagram),
        })
        : undefined;
      return { ok: false, reason: "wrongKey", reply };
    }
    const decoded: Decoded = decodePacket(plain);
    if (!decoded.ok) return decoded;
    const packet = decoded.packet;
    if (packet.type === PacketType.HELLO && type === PacketType.HELLO) {
      return packet.nonce === undefined ? { ok: false, reason: "malformed" } : decoded;
    }
    if (packet.type !== PacketType.JOIN || packet.nonce === undefined) {
      return { ok: false, reason: "malformed" };
    }
    // Each hello nonce joins once: a JOIN again is a replay, even after its receiver left.
    const nonce = packet.nonce.join(",");
    if (this.#spent.has(nonce) || this.#joins.get(from)?.nonce === nonce) {
      return { ok: false, reason: "replayed" };
    }
    return decoded;
  }

  /** Makes the keys of the join `join` and uses them for `address`; false if its share is bad. */
  #use(address: string, join: Join): boolean {
    const agreed = this.#share.agree(join.share!);
    if (agreed === undefined) return false;
    const nonce = join.nonce!;
    const cipher = this.#secret.senderJoin({
      agreed,
      nonce,
      receiverShare: join.share!,
      senderShare: this.#share.share,
    }, this.#nonces);
    const key = nonce.join(",");
    this.#joins.set(address, {
      cipher,
      window: new ReplayWindow(),
      nonce: key,
      receiver: join.receiver,
    });
    this.#spent.add(key);
    if (this.#spent.size > SPENT_NONCES) this.#spent.delete(this.#spent.values().next().value!);
    return true;
  }
}
