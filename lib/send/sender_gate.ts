import { SEAL_OVERHEAD } from "../seal/datagram_seal.ts";
import { HelloLimiter } from "./hello_limiter.ts";
import { KeyShare } from "../seal/key_share.ts";
import { NonceSequence } from "../seal/nonce_sequence.ts";
import { encodeControl } from "../wire/control.ts";
import {
  type Decoded,
  decodePacket,
  type Packet,
  REJECT_REASONS,
  type RejectReason,
  smallestOf,
} from "../wire/decode_packet.ts";
import { type Join } from "../wire/handshake.ts";
import { echoOf, RefusalReason, type RefusalReasonCode } from "../wire/refused.ts";
import { decodeHeader, OFFSET_TYPE, PacketType, sessionOf, typeOf } from "../wire/header.ts";
import { ReplayWindow } from "../seal/replay_window.ts";
import type { SessionCipher } from "../seal/session_cipher.ts";
import type { StreamSecret } from "../seal/stream_secret.ts";

/**
 * How many hello nonces of accepted JOINs the sender remembers, to refuse
 * them again: a JOIN's cookie is good for 10 s at most (see
 * `cookie_signer.ts`), and this many joins take far longer than that at the
 * rate hellos are answered.
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
 *
 * `short`, `foreign`, `version` and `type` are judged from the header and the
 * size alone, before anything else: the sender takes only what a receiver
 * sends (HELLO, JOIN, KEEPALIVE, BYE, NACK), at least as long as the smallest
 * of its type, sealed or not.
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
  /**
   * Limits the answers to hellos that authenticate with the key, apart from
   * `limiter`, so that no one without the key can spend what key holders need.
   * @default a {@linkcode HelloLimiter} with its defaults
   */
  keyHolderLimiter?: HelloLimiter;
}

/** The keys of one join, and what has come under them. */
interface JoinKeys {
  cipher: SessionCipher;
  window: ReplayWindow;
  /** The hello nonce of the join, as a key. */
  nonce: string;
  /** The id of the receiver that joined. */
  receiver: number;
}

/**
 * What stands between the sender's socket and its handshake: it drops at once
 * what is not a receiver's datagram by its header and size, rate-limits
 * addresses not streamed to, opens and checks sealed datagrams (with a key),
 * refuses replays, decodes, and seals what goes out. With a key, each
 * receiver has keys of its own, made as it joins (see `stream_secret.ts`),
 * and everything to it is sealed with them. Pure: it never touches a socket.
 *
 * Nothing is answered before the header and size check, and every answer to
 * an address not streamed to stays within 3 times the datagram it answers.
 */
export class SenderGate {
  #session: number;
  #secret: StreamSecret | undefined;
  #share: KeyShare | undefined;
  /** One sequence for every join's keys: no nonce repeats in a run, whatever the keys. */
  #nonces = new NonceSequence();
  #limiter: HelloLimiter;
  #keyHolders: HelloLimiter;
  #joins = new Map<string, JoinKeys>();
  /** Hello nonces of JOINs taken, oldest first. */
  #spent = new Set<string>();

  /** A gate for one sender run. */
  constructor(options: SenderGateOptions) {
    this.#session = options.session;
    this.#secret = options.secret;
    this.#limiter = options.limiter ?? new HelloLimiter();
    this.#keyHolders = options.keyHolderLimiter ?? new HelloLimiter();
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
    const shape = shapeOf(datagram);
    // Not a receiver's datagram by its header and size: dropped, unanswered,
    // spending no one's share.
    if (!shape.ok) return shape;
    // A sealed HELLO is opened once, here: whether it authenticates says
    // whose share its answer comes out of, and what it holds is then taken.
    const hello = shape.sealed && shape.type === PacketType.HELLO
      ? this.#secret?.openHello(datagram)
      : undefined;
    const budget = peer ? undefined : this.#budget(shape, hello !== undefined);
    if (budget !== undefined && !budget.allow(hostOf(from), now)) {
      return { ok: false, reason: "rateLimited" };
    }
    if (shape.sealed) return this.#takeSealed(datagram, shape, from, peer, hello);
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
   * - A CHALLENGE that answers a HELLO gets the key tail (the hello's nonce
   *   and this run's key share) and the hello key; one that answers a
   *   joined receiver's KEEPALIVE (a new cookie, to prove its address
   *   again) is sealed with the keys of its join, which only that receiver
   *   can open: a key holder that sends keepalives of its own from an
   *   address it does not receive at never gets it.
   * - A REFUSED that the sender is full answers a JOIN: it echoes the JOIN's
   *   hello nonce, with the hello key.
   * - An ACK that answers a JOIN puts the keys of that join in use for `to`
   *   first: the JOIN was taken.
   * - Anything else to `to` is sealed with the keys of its join.
   */
  seal(plain: Uint8Array, to: string, answering?: Packet): Uint8Array | undefined {
    const secret = this.#secret;
    if (secret === undefined) return plain;
    switch (plain[OFFSET_TYPE]) {
      case PacketType.CHALLENGE: {
        if (answering?.type === PacketType.KEEPALIVE) break;
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
   * The share that answers to a datagram of `shape`, from an address not
   * streamed to, come out of (`keyHolder` if it is a HELLO that
   * authenticates with the key); `undefined` if it needs none.
   */
  #budget(shape: Shaped, keyHolder: boolean): HelloLimiter | undefined {
    // A JOIN that joins this session, sealed as this sender seals, is
    // answered only once its cookie proves its address: the proof is the
    // limit. (One that echoes a new cookie comes from a receiver streamed to.)
    if (
      shape.type === PacketType.JOIN && shape.session === this.#session &&
      shape.sealed === this.sealed && !shape.renewal
    ) {
      return undefined;
    }
    // One AES-GCM open, about what answering costs, tells a key holder's
    // hello: it draws on a share that no one without the key can spend.
    return keyHolder ? this.#keyHolders : this.#limiter;
  }

  /**
   * A datagram shaped as a sealed one of a receiver's; `hello`, for a HELLO,
   * what {@linkcode take} opened of it (`undefined` if it did not open).
   */
  #takeSealed(
    datagram: Uint8Array,
    { renewal }: Shaped,
    from: string,
    peer: boolean,
    hello: Uint8Array | undefined,
  ): GateResult {
    const secret = this.#secret;
    if (secret === undefined) {
      return {
        ok: false,
        reason: "sealed",
        reply: this.#refusal(RefusalReason.NO_KEY, echoOf(datagram)),
      };
    }
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
        : this.#announce(RefusalReason.STALE, datagram);
      return { ok: false, reason: "stale", reply };
    }
    return this.#takeSession(datagram, keys);
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

/** The types a receiver sends: the sender takes no other. */
const FROM_RECEIVERS: ReadonlySet<number> = new Set([
  PacketType.HELLO,
  PacketType.JOIN,
  PacketType.KEEPALIVE,
  PacketType.BYE,
  PacketType.NACK,
]);

/** What the header of a datagram of the right shape says, before anything is opened or decoded. */
interface Shaped {
  ok: true;
  /** The type, without the sealed bit. */
  type: number;
  sealed: boolean;
  session: number;
  /** Sealed, and the size of one that echoes a new cookie (no key tail). */
  renewal: boolean;
}

/** A datagram shaped as a receiver's, or why not. */
type Shape = Shaped | { ok: false; reason: RejectReason };

/**
 * Whether `datagram` is shaped as something a receiver sends: the magic, this
 * version, a type a receiver sends (sealed or not), and at least the size of
 * the smallest of that type (with the seal's nonce and tag, if sealed).
 */
function shapeOf(datagram: Uint8Array): Shape {
  const header = decodeHeader(datagram);
  if (!header.ok) return header;
  const { type, sealed, session } = header;
  if (!FROM_RECEIVERS.has(type)) return { ok: false, reason: "type" };
  if (datagram.length < smallestOf(type)! + (sealed ? SEAL_OVERHEAD : 0)) {
    return { ok: false, reason: "short" };
  }
  const renewal = sealed && datagram.length === smallestOf(type)! + SEAL_OVERHEAD;
  return { ok: true, type, sealed, session, renewal };
}

/** The host of `host:port`, IPv6 included. */
function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(":"));
}
