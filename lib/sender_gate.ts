import { isSealed, SEAL_OVERHEAD } from "./datagram_seal.ts";
import { HelloLimiter } from "./hello_limiter.ts";
import { KeyShare } from "./key_share.ts";
import { NonceSequence } from "./nonce_sequence.ts";
import {
  type Decoded,
  decodePacket,
  echoOf,
  encodeControl,
  HEADER_SIZE,
  type Join,
  MAGIC,
  type Packet,
  PacketType,
  RefusalReason,
  type RefusalReasonCode,
  REJECT_REASONS,
  VERSION,
} from "./packet.ts";
import { ReplayWindow } from "./replay_window.ts";
import type { SessionCipher } from "./session_cipher.ts";
import type { StreamSecret } from "./stream_secret.ts";

/**
 * How many hello nonces of accepted JOINs the sender remembers, to refuse
 * them again: a JOIN's cookie is good for at most a minute, and this many
 * joins take far longer than that at the rate hellos are answered.
 */
const SPENT_NONCES = 16_384;

/**
 * Why the sender dropped a datagram: the decoder's reasons, and
 * - `wrongKey`: sealed, and it did not authenticate with this sender's key;
 * - `unsealed`: in the clear, to a sender with a key;
 * - `sealed`: sealed, to a sender without a key;
 * - `replayed`: authenticated, but seen before (or older than the replay window);
 * - `stale`: sealed for a session that is not this sender's;
 * - `rateLimited`: from an address not streamed to, beyond its share of answers.
 */
export type SenderRejection = typeof SENDER_REJECTIONS[number];

/** Every {@linkcode SenderRejection}, for counters. */
export const SENDER_REJECTIONS = [
  ...REJECT_REASONS,
  "wrongKey",
  "unsealed",
  "sealed",
  "replayed",
  "stale",
  "rateLimited",
] as const;

/**
 * What {@linkcode SenderGate.take} makes of a datagram: a packet for the
 * handshake; a reply the gate makes itself, nothing refused (the salt, to a
 * receiver with the key that asks for it); or why it was dropped.
 */
export type GateResult =
  | { ok: true; packet: Packet; reply?: undefined }
  | { ok: true; packet?: undefined; reply: Uint8Array }
  | {
    ok: false;
    reason: SenderRejection;
    /** A REFUSED to send back, telling the receiver why. */
    reply?: Uint8Array;
  };

/** Options for a {@linkcode SenderGate}. */
export interface SenderGateOptions {
  /** The sender's session id. */
  session: number;
  /** The shared secret; without one, datagrams go in the clear. */
  secret?: StreamSecret;
  /** Limits what addresses not streamed to get answered. @default a {@linkcode HelloLimiter} with its defaults */
  limiter?: HelloLimiter;
}

/** The keys of one join, and what has come under them. */
interface JoinKeys {
  cipher: SessionCipher;
  window: ReplayWindow;
  /** The hello nonce of the join, as a key. */
  nonce: string;
}

/**
 * What stands between the sender's socket and its handshake: it opens and
 * checks sealed datagrams (with a key), refuses replays, rate-limits
 * addresses not streamed to, decodes, and seals what goes out. With a key,
 * each receiver has keys of its own, made as it joins (see
 * `stream_secret.ts`), and everything to it is sealed with them. Pure: it
 * never touches a socket.
 */
export class SenderGate {
  #session: number;
  #secret: StreamSecret | undefined;
  #share: KeyShare | undefined;
  /** One sequence for every join's keys: no nonce repeats in a run, whatever the keys. */
  #nonces = new NonceSequence();
  #limiter: HelloLimiter;
  #joins = new Map<string, JoinKeys>();
  /** Hello nonces of JOINs taken, oldest first. */
  #spent = new Set<string>();

  /** A gate for one sender run. */
  constructor(options: SenderGateOptions) {
    this.#session = options.session;
    this.#secret = options.secret;
    this.#limiter = options.limiter ?? new HelloLimiter();
    if (this.#secret !== undefined) this.#share = new KeyShare();
  }

  /** Whether datagrams are sealed. */
  get sealed(): boolean {
    return this.#secret !== undefined;
  }

  /**
   * Takes one datagram from `from` (`host:port`; `peer` if it is a receiver
   * streamed to) at `now` (ms, a clock that never steps back).
   */
  take(datagram: Uint8Array, from: string, peer: boolean, now: number): GateResult {
    if (!peer && !this.#limiter.allow(hostOf(from), now)) {
      return { ok: false, reason: "rateLimited" };
    }
    if (isSealed(datagram)) return this.#takeSealed(datagram, from, peer);
    const decoded = decodePacket(datagram);
    if (!decoded.ok) return decoded;
    if (this.#secret === undefined) return decoded;
    const { type } = decoded.packet;
    // A receiver with the key asks for the salt to stretch it with.
    if (type === PacketType.HELLO && decoded.packet.nonce !== undefined) {
      return { ok: true, reply: this.#announce(RefusalReason.KEY_REQUIRED, datagram) };
    }
    const handshake = type === PacketType.HELLO || type === PacketType.JOIN ||
      type === PacketType.KEEPALIVE;
    return {
      ok: false,
      reason: "unsealed",
      reply: handshake ? this.#announce(RefusalReason.KEY_REQUIRED, datagram) : undefined,
    };
  }

  /**
   * Seals `plain`, to go to `to` (`host:port`), the answer to `answering`
   * if it answers a datagram; `undefined` if there is no key to seal it
   * with. Without a key, `plain` as it is.
   *
   * - A CHALLENGE answers a HELLO: it gets the key tail (the hello's nonce
   *   and this run's key share) and the hello key.
   * - A REFUSED that the sender is full answers a JOIN: it echoes the JOIN's
   *   hello nonce, with the hello key.
   * - An ACK that answers a JOIN puts the keys of that join in use for `to`
   *   first: the JOIN was taken.
   * - Anything else to `to` is sealed with the keys of its join.
   */
  seal(plain: Uint8Array, to: string, answering?: Packet): Uint8Array | undefined {
    const secret = this.#secret;
    if (secret === undefined) return plain;
    switch (plain[3]) {
      case PacketType.CHALLENGE: {
        const challenge = decodePacket(plain);
        if (answering?.type !== PacketType.HELLO || answering.nonce === undefined) return undefined;
        if (!challenge.ok || challenge.packet.type !== PacketType.CHALLENGE) return undefined;
        const tailed = { ...challenge.packet, nonce: answering.nonce, share: this.#share!.share };
        return secret.sealHello(encodeControl(tailed));
      }
      case PacketType.REFUSED: {
        const refused = decodePacket(plain);
        if (answering?.type !== PacketType.JOIN || answering.nonce === undefined) return undefined;
        if (!refused.ok || refused.packet.type !== PacketType.REFUSED) return undefined;
        return secret.sealHello(encodeControl({ ...refused.packet, echo: answering.nonce }));
      }
      case PacketType.ACK:
        if (answering?.type === PacketType.JOIN && !this.#use(to, answering)) return undefined;
    }
    return this.#joins.get(to)?.cipher.seal(plain);
  }

  /** Forgets the keys of a receiver that left. */
  left(address: string): void {
    this.#joins.delete(address);
  }

  #takeSealed(datagram: Uint8Array, from: string, peer: boolean): GateResult {
    // Too short to be sealed, or not udpcam's: no answer, which could only be larger.
    if (datagram.length < HEADER_SIZE + SEAL_OVERHEAD) return { ok: false, reason: "short" };
    if (((datagram[0] << 8) | datagram[1]) !== MAGIC) return { ok: false, reason: "foreign" };
    if (datagram[2] !== VERSION) return { ok: false, reason: "version" };
    const secret = this.#secret;
    if (secret === undefined) {
      return {
        ok: false,
        reason: "sealed",
        reply: this.#refusal(RefusalReason.NO_KEY, echoOf(datagram)),
      };
    }
    const type = datagram[3] & 0x7f;
    if (type === PacketType.HELLO || type === PacketType.JOIN) {
      return this.#takeHandshake(datagram, from, secret);
    }
    const keys = this.#joins.get(from);
    if (keys === undefined) {
      // A receiver of an earlier run, or one dropped: it should say hello again.
      return peer
        ? { ok: false, reason: "wrongKey" }
        : { ok: false, reason: "stale", reply: this.#announce(RefusalReason.STALE, datagram) };
    }
    const opened = keys.cipher.open(datagram);
    if (opened === undefined) return { ok: false, reason: "wrongKey" };
    if (!keys.window.accept(opened.counter)) return { ok: false, reason: "replayed" };
    const decoded = decodePacket(opened.plain);
    if (!decoded.ok) return decoded;
    const inner = decoded.packet.type;
    return inner === PacketType.KEEPALIVE || inner === PacketType.NACK || inner === PacketType.BYE
      ? decoded
      : { ok: false, reason: "malformed" };
  }

  /** A HELLO or JOIN, sealed with the hello key. */
  #takeHandshake(datagram: Uint8Array, from: string, secret: StreamSecret): GateResult {
    const type = datagram[3] & 0x7f;
    const plain = secret.openHello(datagram);
    if (plain === undefined) {
      const session = new DataView(datagram.buffer, datagram.byteOffset + 4, 4).getUint32(0);
      if (session !== this.#session && session !== 0) {
        // Sealed for an earlier run of this sender: its salt is another.
        return { ok: false, reason: "stale", reply: this.#announce(RefusalReason.STALE, datagram) };
      }
      // A HELLO names this session, or none (a receiver of an older udpcam): the keys differ.
      const reply = type === PacketType.HELLO
        ? this.#refusal(RefusalReason.WRONG_KEY, echoOf(datagram))
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
    const agreed = this.#share!.agree(join.share!);
    if (agreed === undefined) return false;
    const nonce = join.nonce!;
    const cipher = this.#secret!.senderJoin({
      agreed,
      nonce,
      receiverShare: join.share!,
      senderShare: this.#share!.share,
    }, this.#nonces);
    const key = nonce.join(",");
    this.#joins.set(address, { cipher, window: new ReplayWindow(), nonce: key });
    this.#spent.add(key);
    if (this.#spent.size > SPENT_NONCES) this.#spent.delete(this.#spent.values().next().value!);
    return true;
  }

  /**
   * A REFUSED in the clear that tells a receiver with the key what to stretch
   * it with and answers `datagram`: 40 bytes, a sealed datagram being 36 at
   * least and a HELLO 32.
   */
  #announce(reason: RefusalReasonCode, datagram: Uint8Array): Uint8Array {
    return encodeControl({
      type: PacketType.REFUSED,
      session: this.#session,
      reason,
      echo: echoOf(datagram),
      salt: this.#secret!.salt,
    });
  }

  #refusal(reason: RefusalReasonCode, echo: Uint8Array): Uint8Array {
    return encodeControl({ type: PacketType.REFUSED, session: this.#session, reason, echo });
  }
}

/** The host of `host:port`, IPv6 included. */
function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(":"));
}
