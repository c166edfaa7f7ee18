import { SEAL_OVERHEAD } from "./datagram_seal.ts";
import { HelloLimiter } from "./hello_limiter.ts";
import {
  decodePacket,
  encodeControl,
  HEADER_SIZE,
  KEYED_REFUSALS,
  MAGIC,
  type Packet,
  PacketType,
  RefusalReason,
  type RefusalReasonCode,
  REJECT_REASONS,
  type RejectReason,
  SEALED_BIT,
  smallestOf,
  VERSION,
} from "./packet.ts";
import { ReplayWindow } from "./replay_window.ts";
import type { SessionCipher } from "./session_cipher.ts";
import { StreamSecret } from "./stream_secret.ts";

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

/** What {@linkcode SenderGate.take} makes of a datagram. */
export type GateResult =
  | { ok: true; packet: Packet }
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

/**
 * What stands between the sender's socket and its handshake: it drops at once
 * what is not a receiver's datagram by its header and size, rate-limits
 * addresses not streamed to, opens and checks sealed datagrams (with a key),
 * refuses replays, decodes, and seals what goes out. Pure: it never touches
 * a socket.
 *
 * Nothing is answered before the header and size check, and every answer to
 * an address not streamed to stays within 3 times the datagram it answers.
 */
export class SenderGate {
  /** The session salt, with a key. */
  readonly salt: Uint8Array | undefined;
  #session: number;
  #secret: StreamSecret | undefined;
  #cipher: SessionCipher | undefined;
  #limiter: HelloLimiter;
  #keyHolders: HelloLimiter;
  #windows = new Map<string, ReplayWindow>();

  /** A gate for one sender run. */
  constructor(options: SenderGateOptions) {
    this.#session = options.session;
    this.#secret = options.secret;
    this.#limiter = options.limiter ?? new HelloLimiter();
    this.#keyHolders = options.keyHolderLimiter ?? new HelloLimiter();
    if (this.#secret !== undefined) {
      this.salt = StreamSecret.salt();
      this.#cipher = this.#secret.sender(this.salt);
    }
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
    const budget = peer ? undefined : this.#budget(datagram, shape);
    if (budget !== undefined && !budget.allow(hostOf(from), now)) {
      return { ok: false, reason: "rateLimited" };
    }
    if (shape.sealed) return this.#takeSealed(datagram, from, peer);
    const decoded = decodePacket(datagram);
    if (!decoded.ok) return decoded;
    if (this.#secret === undefined) return decoded;
    const { type } = decoded.packet;
    const handshake = type === PacketType.HELLO || type === PacketType.JOIN ||
      type === PacketType.KEEPALIVE;
    return {
      ok: false,
      reason: "unsealed",
      reply: handshake ? this.#refusal(RefusalReason.KEY_REQUIRED) : undefined,
    };
  }

  /**
   * Seals a datagram to send: a CHALLENGE, or a REFUSED to a receiver that
   * may share the key (full, or an old session), with the hello key; the rest
   * with the session's. A REFUSED that says the keys differ stays in the
   * clear: the receiver could not open it.
   */
  seal(plain: Uint8Array): Uint8Array {
    if (this.#secret === undefined) return plain;
    if (plain[3] === PacketType.REFUSED) {
      return KEYED_REFUSALS.has(plain[8]) ? this.#secret.sealHello(plain) : plain;
    }
    if (plain[3] === PacketType.CHALLENGE) return this.#secret.sealHello(plain);
    return this.#cipher!.seal(plain);
  }

  /** Starts a replay window for a receiver that joined. */
  joined(address: string): void {
    if (this.#secret !== undefined) this.#windows.set(address, new ReplayWindow());
  }

  /** Forgets a receiver that left. */
  left(address: string): void {
    this.#windows.delete(address);
  }

  /**
   * The share that answers to `datagram`, from an address not streamed to,
   * come out of; `undefined` if it needs none.
   */
  #budget(datagram: Uint8Array, shape: Shaped): HelloLimiter | undefined {
    // A JOIN for this session, sealed as this sender seals, is answered only
    // once its cookie proves its address: the proof is the limit.
    if (
      shape.type === PacketType.JOIN && shape.session === this.#session &&
      shape.sealed === this.sealed
    ) {
      return undefined;
    }
    // One AES-GCM open, about what answering costs, tells a key holder's
    // hello: it draws on a share that no one without the key can spend.
    if (
      shape.type === PacketType.HELLO && shape.sealed && this.#secret !== undefined &&
      this.#secret.openHello(datagram) !== undefined
    ) {
      return this.#keyHolders;
    }
    return this.#limiter;
  }

  #takeSealed(datagram: Uint8Array, from: string, peer: boolean): GateResult {
    if (this.#secret === undefined) {
      return { ok: false, reason: "sealed", reply: this.#refusal(RefusalReason.NO_KEY) };
    }
    if ((datagram[3] & 0x7f) === PacketType.HELLO) {
      const plain = this.#secret.openHello(datagram);
      if (plain === undefined) {
        return { ok: false, reason: "wrongKey", reply: this.#refusal(RefusalReason.WRONG_KEY) };
      }
      const decoded = decodePacket(plain);
      return decoded.ok && decoded.packet.type !== PacketType.HELLO
        ? { ok: false, reason: "malformed" }
        : decoded;
    }
    const opened = this.#cipher!.open(datagram);
    if (opened === undefined) {
      const session = new DataView(datagram.buffer, datagram.byteOffset + 4, 4).getUint32(0);
      if (session !== this.#session && !peer) {
        // A receiver of an earlier run: it should say hello again.
        const reply = this.seal(this.#refusal(RefusalReason.STALE));
        return { ok: false, reason: "stale", reply };
      }
      return { ok: false, reason: "wrongKey" };
    }
    // A JOIN is bound to its address by its cookie and may come again from a
    // receiver that restarted there, with a new nonce sequence.
    const window = (datagram[3] & 0x7f) === PacketType.JOIN ? undefined : this.#windows.get(from);
    if (window !== undefined && !window.accept(opened.counter)) {
      return { ok: false, reason: "replayed" };
    }
    const decoded = decodePacket(opened.plain);
    if (decoded.ok && decoded.packet.type === PacketType.HELLO) {
      return { ok: false, reason: "malformed" };
    }
    return decoded;
  }

  #refusal(reason: RefusalReasonCode): Uint8Array {
    return encodeControl({ type: PacketType.REFUSED, session: this.#session, reason });
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
}

/** A datagram shaped as a receiver's, or why not. */
type Shape = Shaped | { ok: false; reason: RejectReason };

/**
 * Whether `datagram` is shaped as something a receiver sends: the magic, this
 * version, a type a receiver sends (sealed or not), and at least the size of
 * the smallest of that type (with the seal's nonce and tag, if sealed).
 */
function shapeOf(datagram: Uint8Array): Shape {
  if (datagram.length < HEADER_SIZE) return { ok: false, reason: "short" };
  const view = new DataView(datagram.buffer, datagram.byteOffset, HEADER_SIZE);
  if (view.getUint16(0) !== MAGIC) return { ok: false, reason: "foreign" };
  if (view.getUint8(2) !== VERSION) return { ok: false, reason: "version" };
  const sealed = (datagram[3] & SEALED_BIT) !== 0;
  const type = datagram[3] & ~SEALED_BIT;
  if (!FROM_RECEIVERS.has(type)) return { ok: false, reason: "type" };
  if (datagram.length < smallestOf(type)! + (sealed ? SEAL_OVERHEAD : 0)) {
    return { ok: false, reason: "short" };
  }
  return { ok: true, type, sealed, session: view.getUint32(4) };
}

/** The host of `host:port`, IPv6 included. */
function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(":"));
}
