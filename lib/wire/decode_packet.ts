/**
 * Any datagram decoded: the header checked, then the message its type names.
 * See `docs/PROTOCOL.md`.
 *
 * @module
 */
import { decodeHeader, HEADER_REJECT_REASONS, PacketType } from "./header.ts";
import {
  CHALLENGE_SIZE,
  decodeChallenge,
  decodeHello,
  decodeJoin,
  HELLO_SIZE,
  JOIN_SIZE,
} from "./handshake.ts";
import { decodeRefused, REFUSED_SIZE } from "./refused.ts";
import type { Challenge, Hello, Join } from "./handshake.ts";
import type { Refused } from "./refused.ts";
import {
  ACK_SIZE,
  BYE_SIZE,
  decodeAck,
  decodeBye,
  decodeKeepalive,
  KEEPALIVE_SIZE,
} from "./control.ts";
import type { Ack, Bye, Keepalive } from "./control.ts";
import { DATA_HEADER_SIZE, decodeData, decodeParity } from "./data.ts";
import type { Data, Parity } from "./data.ts";
import { decodeNack, nackSize } from "./nack.ts";
import type { Nack } from "./nack.ts";

/** Any decoded datagram. */
export type Packet =
  | Hello
  | Challenge
  | Join
  | Keepalive
  | Ack
  | Bye
  | Data
  | Nack
  | Parity
  | Refused;

/** Every reason the decoder rejects a datagram for. */
export const REJECT_REASONS = [...HEADER_REJECT_REASONS, "type", "malformed"] as const;
/** Why a datagram was rejected. */
export type RejectReason = typeof REJECT_REASONS[number];

/** The result of {@linkcode decodePacket}: a packet, or why there is none. */
export type Decoded = { ok: true; packet: Packet } | { ok: false; reason: RejectReason };

/** The smallest of each control message, in the clear. */
const CONTROL_SIZES: Record<number, number> = {
  [PacketType.HELLO]: HELLO_SIZE,
  [PacketType.CHALLENGE]: CHALLENGE_SIZE,
  [PacketType.JOIN]: JOIN_SIZE,
  [PacketType.KEEPALIVE]: KEEPALIVE_SIZE,
  [PacketType.ACK]: ACK_SIZE,
  [PacketType.BYE]: BYE_SIZE,
  [PacketType.REFUSED]: REFUSED_SIZE,
};

/**
 * The smallest datagram of `type`, in the clear, that {@linkcode decodePacket}
 * may accept; `undefined` for a type it does not know.
 */
export function smallestOf(type: number): number | undefined {
  if (type === PacketType.DATA || type === PacketType.PARITY) return DATA_HEADER_SIZE + 1;
  if (type === PacketType.NACK) return nackSize(1);
  return CONTROL_SIZES[type];
}

/**
 * Decodes one datagram. Never throws: a short, foreign or inconsistent
 * datagram gives `{ ok: false, reason }`. A DATA packet's payload is a view
 * into `bytes`, valid until the caller reuses that buffer.
 */
export function decodePacket(bytes: Uint8Array): Decoded {
  const header = decodeHeader(bytes);
  if (!header.ok) return header;
  // A sealed datagram is opened first (see `lib/seal/`): in the clear, its type is none of these.
  if (header.sealed) return { ok: false, reason: "type" };
  const { type } = header;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === PacketType.DATA) return decodeData(bytes, view);
  if (type === PacketType.PARITY) return decodeParity(bytes, view);
  if (type === PacketType.NACK) return decodeNack(bytes, view);
  const size = CONTROL_SIZES[type];
  if (size === undefined) return { ok: false, reason: "type" };
  if (bytes.length < size) return { ok: false, reason: "short" };
  switch (type) {
    case PacketType.REFUSED: {
      const packet = decodeRefused(bytes, view);
      return packet === undefined ? { ok: false, reason: "malformed" } : { ok: true, packet };
    }
    case PacketType.HELLO:
      return { ok: true, packet: decodeHello(bytes, view) };
    case PacketType.CHALLENGE:
      return { ok: true, packet: decodeChallenge(bytes, view) };
    case PacketType.JOIN:
      return { ok: true, packet: decodeJoin(bytes, view) };
    case PacketType.KEEPALIVE:
      return { ok: true, packet: decodeKeepalive(bytes, view) };
    case PacketType.ACK:
      return { ok: true, packet: decodeAck(bytes, view) };
    default:
      return { ok: true, packet: decodeBye(bytes, view) };
  }
}
