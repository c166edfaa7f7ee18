/**
 * NACK, receiver to sender: a joined receiver asks for fragments again. See
 * `docs/PROTOCOL.md`, "NACK".
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                     8-byte header (type 8)                    |
 * +---------------------------------------------------------------+
 * |                          receiver id                          |
 * +---------------------------------------------------------------+
 * |                        cookie (16 bytes)                      |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                  range 1: frame number                        |
 * +-------------------------------+-------------------------------+
 * |    range 1: first index       |   range 1: how many           |
 * +-------------------------------+-------------------------------+
 * |                  ... up to 128 ranges                         |
 * +---------------------------------------------------------------+
 * ```
 *
 * Only a joined receiver's NACK, with its cookie, is answered, and only with
 * fragments of frames the sender still holds.
 *
 * @module
 */
import {
  checkCookie,
  COOKIE_SIZE,
  encodeHeader,
  OFFSET_RECEIVER,
  OFFSET_SESSION,
  PacketType,
} from "./header.ts";
import { MAX_FRAGMENTS } from "./data.ts";

/** The size of a NACK before its ranges. */
export const NACK_HEADER_SIZE = 28;
/** The size of one NACK range. */
export const NACK_RANGE_SIZE = 8;
/** The most ranges one NACK carries. */
export const MAX_NACK_RANGES = 128;
/** Where a NACK holds its cookie. */
export const OFFSET_NACK_COOKIE = 12;
/** Where a range holds its frame number (uint32), from the range's start. */
export const RANGE_OFFSET_FRAME = 0;
/** Where a range holds its first fragment index (uint16), from the range's start. */
export const RANGE_OFFSET_INDEX = 4;
/** Where a range holds how many fragments it covers (uint16), from the range's start. */
export const RANGE_OFFSET_COUNT = 6;

/** Fragments `index` to `index + count - 1` of one frame. */
export interface NackRange {
  frame: number;
  index: number;
  count: number;
}

/** A receiver asks for fragments it is missing. */
export interface Nack {
  type: typeof PacketType.NACK;
  session: number;
  receiver: number;
  cookie: Uint8Array;
  ranges: NackRange[];
}

/** The size of a NACK of `ranges` ranges. */
export function nackSize(ranges: number): number {
  return NACK_HEADER_SIZE + ranges * NACK_RANGE_SIZE;
}

/**
 * Encodes a NACK for 1 to {@linkcode MAX_NACK_RANGES} ranges.
 * @throws {RangeError} For no ranges, too many, or a range out of bounds.
 */
export function encodeNack(packet: Omit<Nack, "type">): Uint8Array {
  const { ranges } = packet;
  if (ranges.length === 0 || ranges.length > MAX_NACK_RANGES) {
    throw new RangeError(`A NACK carries 1 to ${MAX_NACK_RANGES} ranges, got ${ranges.length}`);
  }
  const [bytes, view] = encodeHeader(nackSize(ranges.length), PacketType.NACK, packet.session);
  view.setUint32(OFFSET_RECEIVER, packet.receiver);
  bytes.set(checkCookie(packet.cookie), OFFSET_NACK_COOKIE);
  let at = NACK_HEADER_SIZE;
  for (const { frame, index, count } of ranges) {
    if (
      !Number.isInteger(index) || !Number.isInteger(count) || index < 0 || count < 1 ||
      index + count > MAX_FRAGMENTS
    ) {
      throw new RangeError(`A NACK range must cover 1 to ${MAX_FRAGMENTS} fragments`);
    }
    if (!Number.isInteger(frame) || frame < 0 || frame > 0xffffffff) {
      throw new RangeError(`A NACK range's frame must be a uint32, got ${frame}`);
    }
    view.setUint32(at + RANGE_OFFSET_FRAME, frame);
    view.setUint16(at + RANGE_OFFSET_INDEX, index);
    view.setUint16(at + RANGE_OFFSET_COUNT, count);
    at += NACK_RANGE_SIZE;
  }
  return bytes;
}

/** A NACK decoded, or why it was not: `"short"` or `"malformed"`. */
export type DecodedNack = { ok: true; packet: Nack } | { ok: false; reason: "short" | "malformed" };

/** Decodes a NACK whose header `decodePacket` has checked. */
export function decodeNack(bytes: Uint8Array, view: DataView): DecodedNack {
  if (bytes.length < nackSize(1)) return { ok: false, reason: "short" };
  const body = bytes.length - NACK_HEADER_SIZE;
  const count = body / NACK_RANGE_SIZE;
  if (!Number.isInteger(count) || count > MAX_NACK_RANGES) {
    return { ok: false, reason: "malformed" };
  }
  const ranges: NackRange[] = new Array(count);
  for (let i = 0, at = NACK_HEADER_SIZE; i < count; i++, at += NACK_RANGE_SIZE) {
    const index = view.getUint16(at + RANGE_OFFSET_INDEX);
    const length = view.getUint16(at + RANGE_OFFSET_COUNT);
    if (length === 0 || index + length > MAX_FRAGMENTS) return { ok: false, reason: "malformed" };
    ranges[i] = { frame: view.getUint32(at + RANGE_OFFSET_FRAME), index, count: length };
  }
  return {
    ok: true,
    packet: {
      type: PacketType.NACK,
      session: view.getUint32(OFFSET_SESSION),
      receiver: view.getUint32(OFFSET_RECEIVER),
      cookie: bytes.slice(OFFSET_NACK_COOKIE, OFFSET_NACK_COOKIE + COOKIE_SIZE),
      ranges,
    },
  };
}
