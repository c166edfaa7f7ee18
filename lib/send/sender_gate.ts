import { HelloLimiter } from "./hello_limiter.ts";
import { SealedJoins } from "./sealed_joins.ts";
import type { GateResult } from "./sender_rejection.ts";
import { type Shaped, shapeOf } from "./shape_of.ts";
import type { StreamSecret } from "../seal/stream_secret.ts";
import { encodeControl } from "../wire/control.ts";
import { decodePacket, type Packet } from "../wire/decode_packet.ts";
import { PacketType } from "../wire/header.ts";
import { echoOf, RefusalReason, type RefusalReasonCode } from "../wire/refused.ts";

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
 * refuses replays, decodes, and seals what goes out. With a key, each
 * receiver has keys of its own, made as it joins (see `stream_secret.ts`),
 * and everything to it is sealed with them: {@linkcode SealedJoins} keeps
 * them. Pure: it never touches a socket.
 *
 * Nothing is answered before the header and size check, and every answer to
 * an address not streamed to stays within 3 times the datagram it answers.
 */
export class SenderGate {
  #session: number;
  #secret: StreamSecret | undefined;
  /** The keys of each join; only with a secret. */
  #joins: SealedJoins | undefined;
  #limiter: HelloLimiter;
  #keyHolders: HelloLimiter;

  /** A gate for one sender run. */
  constructor(options: SenderGateOptions) {
    this.#session = options.session;
    this.#secret = options.secret;
    this.#limiter = options.limiter ?? new HelloLimiter();
    this.#keyHolders = options.keyHolderLimiter ?? new HelloLimiter();
    if (this.#secret !== undefined) {
      this.#joins = new SealedJoins({ session: this.#session, secret: this.#secret });
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
    // A sealed HELLO is opened once, here: whether it authenticates says
    // whose share its answer comes out of, and what it holds is then taken.
    const hello = shape.sealed && shape.type === PacketType.HELLO
      ? this.#secret?.openHello(datagram)
      : undefined;
    const budget = peer ? undefined : this.#budget(shape, hello !== undefined);
    if (budget !== undefined && !budget.allow(hostOf(from), now)) {
      return { ok: false, reason: "rateLimited" };
    }
    if (shape.sealed) {
      if (this.#joins === undefined) {
        const reply = this.#refusal(RefusalReason.NO_KEY, echoOf(datagram));
        return { ok: false, reason: "sealed", reply };
      }
      return this.#joins.take(datagram, shape, from, peer, hello);
    }
    const decoded = decodePacket(datagram);
    if (!decoded.ok) return decoded;
    if (this.#secret === undefined) return decoded;
    const { type } = decoded.packet;
    // A receiver with the key asks for the salt to stretch it with.
    if (type === PacketType.HELLO && decoded.packet.nonce !== undefined) {
      return { ok: true, reply: this.#joins!.announce(RefusalReason.KEY_REQUIRED, datagram) };
    }
    const handshake = type === PacketType.HELLO || type === PacketType.JOIN ||
      type === PacketType.KEEPALIVE;
    return {
      ok: false,
      reason: "unsealed",
      reply: handshake ? this.#joins!.announce(RefusalReason.KEY_REQUIRED, datagram) : undefined,
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
    return this.#joins === undefined ? plain : this.#joins.seal(plain, to, answering);
  }

  /** Forgets the keys of a receiver that left. */
  left(address: string): void {
    this.#joins?.left(address);
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

  /** A REFUSED in the clear that echoes `echo`. */
  #refusal(reason: RefusalReasonCode, echo: Uint8Array): Uint8Array {
    return encodeControl({ type: PacketType.REFUSED, session: this.#session, reason, echo });
  }
}

/** The host of `host:port`, IPv6 included. */
function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(":"));
}
