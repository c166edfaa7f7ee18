import { isSealed } from "./datagram_seal.ts";
import { HelloLimiter } from "./hello_limiter.ts";
import {
  decodePacket,
  encodeControl,
  KEYED_REFUSALS,
  type Packet,
  PacketType,
  RefusalReason,
  type RefusalReasonCode,
  REJECT_REASONS,
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
}

/**
 * What stands between the sender's socket and its handshake: it opens and
 * checks sealed datagrams (with a key), refuses replays, rate-limits
 * addresses not streamed to, decodes, and seals what goes out. Pure: it
 * never touches a socket.
 */
export class SenderGate {
  /** The session salt, with a key. */
  readonly salt: Uint8Array | undefined;
  #session: number;
  #secret: StreamSecret | undefined;
  #cipher: SessionCipher | undefined;
  #limiter: HelloLimiter;
  #windows = new Map<string, ReplayWindow>();

  /** A gate for one sender run. */
  constructor(options: SenderGateOptions) {
    this.#session = options.session;
    this.#secret = options.secret;
    this.#limiter = options.limiter ?? new HelloLimiter();
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
    if (!peer && !this.#limiter.allow(hostOf(from), now)) {
      return { ok: false, reason: "rateLimited" };
    }
    if (isSealed(datagram)) return this.#takeSealed(datagram, from, peer);
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

/** The host of `host:port`, IPv6 included. */
function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(":"));
}
