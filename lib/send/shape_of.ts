import { SEAL_OVERHEAD } from "../seal/datagram_seal.ts";
import { type RejectReason, smallestOf } from "../wire/decode_packet.ts";
import { decodeHeader, PacketType } from "../wire/header.ts";

/** The types a receiver sends: the sender takes no other. */
const FROM_RECEIVERS: ReadonlySet<number> = new Set([
  PacketType.HELLO,
  PacketType.JOIN,
  PacketType.KEEPALIVE,
  PacketType.BYE,
  PacketType.NACK,
]);

/** What the header of a datagram of the right shape says, before anything is opened or decoded. */
export interface Shaped {
  ok: true;
  /** The type, without the sealed bit. */
  type: number;
  /** Whether the sealed bit is set. */
  sealed: boolean;
  /** The session id the header names. */
  session: number;
  /** Sealed, and the size of one that echoes a new cookie (no key tail). */
  renewal: boolean;
}

/** A datagram shaped as a receiver's, or why not. */
export type Shape = Shaped | { ok: false; reason: RejectReason };

/**
 * Whether `datagram` is shaped as something a receiver sends: the magic, this
 * version, a type a receiver sends (sealed or not), and at least the size of
 * the smallest of that type (with the seal's nonce and tag, if sealed).
 */
export function shapeOf(datagram: Uint8Array): Shape {
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
