import { isSealed } from "./datagram_seal.ts";
import { decodePacket, KEYED_REFUSALS, type Packet, PacketType, REJECT_REASONS } from "./packet.ts";
import { ReplayWindow } from "./replay_window.ts";
import type { SessionCipher } from "./session_cipher.ts";
import type { StreamSecret } from "./stream_secret.ts";

/**
 * Why the receiver dropped a datagram from its sender: the decoder's reasons, and
 * - `wrongKey`: sealed, and it did not authenticate with this receiver's key;
 * - `unsealed`: in the clear, to a receiver with a key;
 * - `sealed`: sealed, to a receiver without a key;
 * - `replayed`: authenticated, but seen before (or older than the replay window);
 * - `stale`: sealed for a session this receiver has no key for (not joined yet,
 *   or the sender restarted).
 */
export type ReceiverRejection = typeof RECEIVER_REJECTIONS[number];

/** Every {@linkcode ReceiverRejection}, for counters. */
export const RECEIVER_REJECTIONS = [
  ...REJECT_REASONS,
  "wrongKey",
  "unsealed",
  "sealed",
  "replayed",
  "stale",
] as const;

/** What {@linkcode ReceiverGate.take} makes of a datagram. */
export type ReceiverGateResult =
  | { ok: true; packet: Packet }
  | { ok: false; reason: ReceiverRejection; handshake: boolean };

/**
 * What stands between the receiver's socket and its link: with a key, it
 * opens the sender's CHALLENGE with the hello key, makes the session's keys
 * from the salt in it, then opens everything else with them, refusing
 * replays; it seals what goes back. Without a key it only decodes. Pure: it
 * never touches a socket.
 */
export class ReceiverGate {
  #secret: StreamSecret | undefined;
  #cipher: SessionCipher | undefined;
  #salt = "";
  #session = 0;
  #window = new ReplayWindow();

  /** A gate with `secret`, or in the clear without one. */
  constructor(secret?: StreamSecret) {
    this.#secret = secret;
  }

  /** Whether datagrams are sealed. */
  get sealed(): boolean {
    return this.#secret !== undefined;
  }

  /** Takes one datagram from the sender. */
  take(datagram: Uint8Array): ReceiverGateResult {
    const type = datagram.length > 3 ? datagram[3] & 0x7f : 0;
    const challenge = type === PacketType.CHALLENGE;
    // What only the hello key opens: a datagram of these that does not open says the keys differ.
    const handshake = challenge || type === PacketType.REFUSED;
    if (!isSealed(datagram)) {
      const decoded = decodePacket(datagram);
      if (!decoded.ok) return { ...decoded, handshake };
      // A sender with a key sends in the clear only the refusals that say the keys differ.
      const packet = decoded.packet;
      if (
        this.#secret !== undefined &&
        (packet.type !== PacketType.REFUSED || KEYED_REFUSALS.has(packet.reason))
      ) {
        return { ok: false, reason: "unsealed", handshake };
      }
      return decoded;
    }
    if (this.#secret === undefined) return { ok: false, reason: "sealed", handshake };
    if (challenge) return this.#takeChallenge(datagram, this.#secret);
    if (type === PacketType.REFUSED) {
      const plain = this.#secret.openHello(datagram);
      const decoded = plain === undefined ? undefined : decodePacket(plain);
      if (decoded === undefined) return { ok: false, reason: "wrongKey", handshake };
      return decoded.ok ? decoded : { ...decoded, handshake };
    }
    const session = new DataView(datagram.buffer, datagram.byteOffset + 4, 4).getUint32(0);
    if (this.#cipher === undefined || session !== this.#session) {
      return { ok: false, reason: "stale", handshake };
    }
    const opened = this.#cipher.open(datagram);
    if (opened === undefined) return { ok: false, reason: "wrongKey", handshake };
    if (!this.#window.accept(opened.counter)) return { ok: false, reason: "replayed", handshake };
    const decoded = decodePacket(opened.plain);
    if (!decoded.ok) return { ...decoded, handshake };
    return decoded;
  }

  /**
   * Seals a datagram to send: a HELLO with the hello key, the rest with the
   * session's; `undefined` if there is no session yet to seal it with.
   */
  seal(plain: Uint8Array): Uint8Array | undefined {
    if (this.#secret === undefined) return plain;
    if (plain[3] === PacketType.HELLO) return this.#secret.sealHello(plain);
    return this.#cipher?.seal(plain);
  }

  #takeChallenge(datagram: Uint8Array, secret: StreamSecret): ReceiverGateResult {
    const plain = secret.openHello(datagram);
    if (plain === undefined) return { ok: false, reason: "wrongKey", handshake: true };
    const decoded = decodePacket(plain);
    if (!decoded.ok) return { ...decoded, handshake: true };
    const packet = decoded.packet;
    if (packet.type !== PacketType.CHALLENGE || packet.salt === undefined) {
      return { ok: false, reason: "malformed", handshake: true };
    }
    const salt = packet.salt.join(",");
    if (salt !== this.#salt || packet.session !== this.#session) {
      this.#salt = salt;
      this.#session = packet.session;
      this.#cipher = secret.receiver(packet.salt);
      this.#window = new ReplayWindow();
    }
    return decoded;
  }
}
