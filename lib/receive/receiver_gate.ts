import { isSealed, SEAL_OVERHEAD } from "../seal/datagram_seal.ts";
import { KeyShare } from "../seal/key_share.ts";
import { NonceSequence } from "../seal/nonce_sequence.ts";
import { encodeControl } from "../wire/control.ts";
import { decodePacket, type Packet, smallestOf } from "../wire/decode_packet.ts";
import {
  type Challenge,
  HELLO_NONCE_SIZE,
  OFFSET_HELLO_NONCE,
  OFFSET_TIME,
} from "../wire/handshake.ts";
import { echoOf, RefusalReason } from "../wire/refused.ts";
import { OFFSET_RECEIVER, OFFSET_TYPE, PacketType, setSession, typeOf } from "../wire/header.ts";
import type { Refusal } from "./link_reason.ts";
import type { ReceiverRejection } from "./receiver_rejection.ts";
import { SessionKeys } from "./session_keys.ts";
import { ReplayWindow } from "../seal/replay_window.ts";
import type { StreamKey } from "../seal/stream_key.ts";
import type { StreamSecret } from "../seal/stream_secret.ts";

/**
 * What {@linkcode ReceiverGate.take} makes of a datagram: a packet for the
 * link; nothing for it (`packet` undefined: the gate took it, a sender's
 * salt); or why it was dropped, with `doubt` for a datagram that would say
 * the keys differ (or the sender has none) if anything authenticated it.
 */
export type ReceiverGateResult =
  | { ok: true; packet?: Packet }
  | { ok: false; reason: ReceiverRejection; doubt?: Refusal };

/** How many of its own hellos, and of its datagrams that a REFUSED may answer, a receiver waits on. */
const PENDING = 256;

/** What a hello said, for checking the answer that echoes its nonce. */
interface HelloSent {
  receiver: number;
  time: number;
}

/**
 * What stands between the receiver's socket and its link. Without a key it
 * only decodes. With one (see `stream_secret.ts`, and the handshake in
 * `docs/PROTOCOL.md`):
 *
 * - it says hello in the clear until the sender names the salt its run
 *   stretches the key with ({@linkcode wanted}), then, once given the key
 *   stretched with it ({@linkcode use}), seals hellos with the hello key;
 * - every hello carries a fresh nonce, and only a CHALLENGE that answers a
 *   hello still pending makes keys: a CHALLENGE played back, of this run or
 *   another, changes nothing;
 * - it believes a REFUSED only if it echoes a datagram it sent, once;
 * - it opens everything else with the keys of its join, refusing replays,
 *   and takes the keys of a new join once something opens with them.
 *
 * Pure: it never touches a socket, and the stretching is the caller's.
 */
export class ReceiverGate {
  #key: StreamKey | undefined;
  #share: KeyShare | undefined;
  #secret: StreamSecret | undefined;
  /** The sender's session and salt, as it last named them. */
  #sender: { session: number; salt: Uint8Array } | undefined;
  /** Sealed hellos sent and not yet answered, by nonce. */
  #hellos = new Map<string, HelloSent>();
  /** Hellos sent in the clear, by nonce. */
  #clearHellos = new Map<string, HelloSent>();
  /** What a REFUSED may echo, of datagrams sent. */
  #echoes = new Set<string>();
  /** The keys of the joins. */
  #keys = new SessionKeys();
  /** One sequence for every join's keys, from a random start. */
  #nonces = NonceSequence.random();

  /** A gate with `key`, or in the clear without one. */
  constructor(key?: StreamKey) {
    this.#key = key;
    if (key !== undefined) this.#share = new KeyShare();
  }

  /** Whether datagrams are sealed. */
  get sealed(): boolean {
    return this.#key !== undefined;
  }

  /** The salt the sender named that the key is not stretched with yet; `undefined` if none. */
  get wanted(): Uint8Array | undefined {
    const sender = this.#sender;
    if (sender === undefined || this.#secret?.salt.join(",") === sender.salt.join(",")) {
      return undefined;
    }
    return sender.salt;
  }

  /**
   * Seals from now on with `secret`, the key stretched with the salt the
   * sender named last; false (and nothing changes) for another salt.
   */
  use(secret: StreamSecret): boolean {
    if (this.#sender?.salt.join(",") !== secret.salt.join(",")) return false;
    this.#secret = secret;
    return true;
  }

  /** Takes one datagram from the sender. */
  take(datagram: Uint8Array): ReceiverGateResult {
    if (!isSealed(datagram)) {
      const decoded = decodePacket(datagram);
      if (!decoded.ok || this.#key === undefined) return decoded;
      return this.#takeClear(decoded.packet);
    }
    if (this.#key === undefined) return { ok: false, reason: "sealed" };
    const type = typeOf(datagram);
    // A CHALLENGE that answers a hello has the key tail, and the hello key;
    // a new cookie from the sender joined comes without it, sealed with the
    // keys of the join, as the rest of the session.
    const handshake = type === PacketType.REFUSED ||
      (type === PacketType.CHALLENGE && datagram.length !== smallestOf(type)! + SEAL_OVERHEAD);
    return handshake ? this.#takeHandshake(datagram) : this.#keys.open(datagram);
  }

  /**
   * Seals a datagram to send: a HELLO with the hello key (or in the clear,
   * to ask for the salt), a JOIN with the hello key and the keys' tail (or,
   * echoing a new cookie of the sender joined, with the keys of the join),
   * the rest with the keys of the join; `undefined` if it cannot be sealed yet.
   */
  seal(plain: Uint8Array): Uint8Array | undefined {
    if (this.#key === undefined) return plain;
    switch (plain[OFFSET_TYPE]) {
      case PacketType.HELLO:
        return this.#sealHello(plain);
      case PacketType.JOIN: {
        // It echoes a new cookie: sealed with the keys that brought it.
        const renewing = this.#keys.renewing;
        if (renewing !== undefined) return renewing.cipher.seal(plain);
        const next = this.#keys.next;
        const join = decodePacket(plain);
        if (next === undefined || this.#secret === undefined) return undefined;
        if (!join.ok || join.packet.type !== PacketType.JOIN) return undefined;
        const tailed = { ...join.packet, nonce: next.nonce, share: this.#share!.share };
        const sealed = this.#secret.sealHello(encodeControl(tailed));
        this.#expect(echoOf(sealed));
        // A full sender's REFUSED echoes the hello nonce.
        this.#expect(next.nonce);
        return sealed;
      }
      default: {
        const sealed = this.#keys.seal(plain);
        if (sealed !== undefined && plain[OFFSET_TYPE] === PacketType.KEEPALIVE) {
          this.#expect(echoOf(sealed));
        }
        return sealed;
      }
    }
  }

  #sealHello(plain: Uint8Array): Uint8Array | undefined {
    const hello = plain.slice();
    const nonce = crypto.getRandomValues(new Uint8Array(HELLO_NONCE_SIZE));
    nonce[0] |= 1; // never all zeros: that is a hello without a nonce
    hello.set(nonce, OFFSET_HELLO_NONCE);
    const view = new DataView(hello.buffer);
    const sent = { receiver: view.getUint32(OFFSET_RECEIVER), time: view.getFloat64(OFFSET_TIME) };
    const secret = this.#secret;
    const sender = this.#sender;
    if (secret !== undefined && sender !== undefined && this.wanted === undefined) {
      setSession(hello, sender.session);
      const sealed = secret.sealHello(hello);
      remember(this.#hellos, nonce.join(","), sent);
      this.#expect(echoOf(sealed));
      return sealed;
    }
    // The key is being stretched for the salt named: a hello now would only ask for it again.
    if (this.wanted !== undefined) return undefined;
    // Nothing to seal with yet: a hello in the clear asks the sender for its salt.
    remember(this.#clearHellos, nonce.join(","), sent);
    this.#expect(nonce);
    return hello;
  }

  /** Something in the clear, to a receiver with a key. */
  #takeClear(packet: Packet): ReceiverGateResult {
    if (packet.type === PacketType.CHALLENGE) return this.#takeClearChallenge(packet);
    if (packet.type !== PacketType.REFUSED) return { ok: false, reason: "unsealed" };
    if (packet.echo === undefined) {
      // Nothing to check it by: a sender of an older udpcam, or anyone.
      const doubt: Refusal | undefined = packet.reason === RefusalReason.KEY_REQUIRED
        ? "oldSender"
        : packet.reason === RefusalReason.WRONG_KEY || packet.reason === RefusalReason.NO_KEY
        ? packet.reason
        : undefined;
      return { ok: false, reason: "unsealed", doubt };
    }
    if (!this.#echoes.delete(packet.echo.join(","))) return { ok: false, reason: "replayed" };
    const { reason, salt } = packet;
    if (
      salt !== undefined &&
      (reason === RefusalReason.KEY_REQUIRED || reason === RefusalReason.STALE)
    ) {
      this.#sender = { session: packet.session, salt };
      // Say hello again (a STALE), at the link's pace; a salt alone is the gate's.
      return reason === RefusalReason.STALE ? { ok: true, packet } : { ok: true };
    }
    return { ok: true, packet };
  }

  /**
   * A CHALLENGE in the clear: a sender without a key answers a hello. It
   * says so if it answers a hello this receiver sent in the clear.
   */
  #takeClearChallenge(packet: Challenge): ReceiverGateResult {
    for (const [nonce, sent] of this.#clearHellos) {
      if (sent.receiver === packet.receiver && sent.time === packet.echoTime) {
        this.#clearHellos.delete(nonce);
        const refused = { type: PacketType.REFUSED, session: packet.session } as const;
        return { ok: true, packet: { ...refused, reason: RefusalReason.NO_KEY } };
      }
    }
    return { ok: false, reason: "unsealed", doubt: RefusalReason.NO_KEY };
  }

  /** A CHALLENGE or REFUSED, sealed with the hello key. */
  #takeHandshake(datagram: Uint8Array): ReceiverGateResult {
    const secret = this.#secret;
    // No hello was sealed yet: nothing sealed can answer one.
    if (secret === undefined) return { ok: false, reason: "stale" };
    const plain = secret.openHello(datagram);
    if (plain === undefined) return { ok: false, reason: "wrongKey", doubt: "wrongKey" };
    const decoded = decodePacket(plain);
    if (!decoded.ok) return decoded;
    const packet = decoded.packet;
    if (packet.type === PacketType.REFUSED && typeOf(datagram) === PacketType.REFUSED) {
      if (packet.echo === undefined) return { ok: false, reason: "malformed" };
      return this.#echoes.delete(packet.echo.join(","))
        ? decoded
        : { ok: false, reason: "replayed" };
    }
    if (
      packet.type !== PacketType.CHALLENGE || packet.nonce === undefined ||
      packet.share === undefined
    ) {
      return { ok: false, reason: "malformed" };
    }
    const key = packet.nonce.join(",");
    const hello = this.#hellos.get(key);
    if (
      hello === undefined || hello.receiver !== packet.receiver || hello.time !== packet.echoTime
    ) {
      return { ok: false, reason: "replayed" };
    }
    const agreed = this.#share!.agree(packet.share);
    if (agreed === undefined) return { ok: false, reason: "malformed" };
    // The hello is answered, and every other one pending with it.
    this.#hellos.clear();
    this.#keys.stopRenewing();
    const cipher = secret.receiverJoin({
      agreed,
      nonce: packet.nonce,
      receiverShare: this.#share!.share,
      senderShare: packet.share,
    }, this.#nonces);
    this.#keys.join({
      session: packet.session,
      nonce: packet.nonce,
      cipher,
      window: new ReplayWindow(),
    });
    return decoded;
  }

  #expect(echo: Uint8Array): void {
    this.#echoes.add(echo.join(","));
    if (this.#echoes.size > PENDING) this.#echoes.delete(this.#echoes.values().next().value!);
  }
}

/** Adds `key` to `map`, dropping the oldest beyond {@linkcode PENDING}. */
function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.set(key, value);
  if (map.size > PENDING) map.delete(map.keys().next().value!);
}
