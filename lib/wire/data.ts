/**
 * DATA and PARITY, sender to receiver: one fragment of one JPEG frame, or the
 * XOR of one group of its fragments. See `docs/PROTOCOL.md`, "DATA" and
 * "PARITY".
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                8-byte header (type 7, or 9)                   |
 * +---------------------------------------------------------------+
 * |                         frame number                          |
 * +---------------------------------------------------------------+
 * |                    frame length in bytes                      |
 * +-------------------------------+-------------------------------+
 * |R|      fragment index         |  fragment size (bytes, > 0)   |
 * | or: group (8)  | groups (8)   |                               |
 * +-------------------------------+-------------------------------+
 * |                 capture time (float64, ms epoch)              |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                payload: frame bytes from                      |
 * |        index * fragment size, fragment size long              |
 * |        (the last fragment holds what is left)                 |
 * +---------------------------------------------------------------+
 * ```
 *
 * The index's top bit, R, is set on a resend. PARITY has the DATA layout,
 * except that offset 16 holds the group and the number of groups. A frame
 * of `n` fragments has `groups` parity datagrams; group `g` covers the
 * fragments whose index `i` has `i % groups == g`, so a burst of up to
 * `groups` consecutive losses costs each group one fragment at most. The
 * payload, `fragmentSize` long, is the XOR of the group's fragments, each
 * padded with zeros to `fragmentSize`: it rebuilds any one missing fragment
 * of its group.
 *
 * @module
 */
import { OFFSET_SESSION, PacketType, writeHeader } from "./header.ts";

/** The size of a DATA or PARITY datagram's header, payload excluded. */
export const DATA_HEADER_SIZE = 28;
/** The most fragments a frame can have: the index is 15 bits. */
export const MAX_FRAGMENTS = 0x7fff;
/** The most parity groups a frame has: the group is 8 bits. */
export const MAX_PARITY_GROUPS = 255;
/** The bit of a DATA datagram's index field that marks a resend. */
export const RESENT_BIT = 0x8000;

/** Where the frame number is (uint32). */
export const OFFSET_FRAME = 8;
/** Where the frame's length in bytes is (uint32). */
export const OFFSET_FRAME_LENGTH = 12;
/** Where DATA holds the fragment index (uint16, top bit {@linkcode RESENT_BIT}). */
export const OFFSET_INDEX = 16;
/** Where PARITY holds its group (uint8). */
export const OFFSET_GROUP = 16;
/** Where PARITY holds the number of groups (uint8). */
export const OFFSET_GROUPS = 17;
/** Where the fragment size is (uint16). */
export const OFFSET_FRAGMENT_SIZE = 18;
/** Where the capture time is (float64). */
export const OFFSET_CAPTURE_TIME = 20;

/** What DATA and PARITY headers share: the frame and how it is cut. */
export interface FrameFields {
  session: number;
  frame: number;
  frameLength: number;
  fragmentSize: number;
  captureTime: number;
}

/** Fields of a DATA datagram's header. */
export interface DataHeader extends FrameFields {
  index: number;
}

/** Fields of a PARITY datagram's header. */
export interface ParityHeader extends FrameFields {
  group: number;
  groups: number;
}

/** One fragment of one frame. `payload` is a view into the datagram. */
export interface Data {
  type: typeof PacketType.DATA;
  session: number;
  frame: number;
  frameLength: number;
  index: number;
  fragmentSize: number;
  captureTime: number;
  /** Sent again on a receiver's request, not the first time. */
  resent: boolean;
  payload: Uint8Array;
}

/** The XOR of one group of one frame's fragments. `payload` is a view into the datagram. */
export interface Parity {
  type: typeof PacketType.PARITY;
  session: number;
  frame: number;
  frameLength: number;
  group: number;
  groups: number;
  fragmentSize: number;
  captureTime: number;
  payload: Uint8Array;
}

/** A DATA or PARITY decoded, or why it was not: `"short"` or `"malformed"`. */
export type DecodedFrame<T> = { ok: true; packet: T } | {
  ok: false;
  reason: "short" | "malformed";
};

/**
 * Writes a DATA header into `target` at offset 0; the caller writes the payload
 * after {@linkcode DATA_HEADER_SIZE}.
 */
export function encodeDataHeader(target: Uint8Array, fields: DataHeader): void {
  const view = writeFrameHeader(target, PacketType.DATA, fields);
  view.setUint16(OFFSET_INDEX, fields.index);
}

/**
 * Writes a PARITY header into `target` at offset 0; the caller writes the
 * parity after {@linkcode DATA_HEADER_SIZE}.
 */
export function encodeParityHeader(target: Uint8Array, fields: ParityHeader): void {
  const view = writeFrameHeader(target, PacketType.PARITY, fields);
  view.setUint8(OFFSET_GROUP, fields.group);
  view.setUint8(OFFSET_GROUPS, fields.groups);
}

/** Writes what DATA and PARITY headers share; the caller writes offset 16. */
function writeFrameHeader(target: Uint8Array, type: number, fields: FrameFields): DataView {
  const view = new DataView(target.buffer, target.byteOffset, DATA_HEADER_SIZE);
  writeHeader(view, type, fields.session);
  view.setUint32(OFFSET_FRAME, fields.frame);
  view.setUint32(OFFSET_FRAME_LENGTH, fields.frameLength);
  view.setUint16(OFFSET_FRAGMENT_SIZE, fields.fragmentSize);
  view.setFloat64(OFFSET_CAPTURE_TIME, fields.captureTime);
  return view;
}

/** A copy of a DATA datagram marked as a resend. */
export function markResent(datagram: Uint8Array): Uint8Array {
  const copy = datagram.slice();
  copy[OFFSET_INDEX] |= RESENT_BIT >> 8;
  return copy;
}

/**
 * Reads what DATA and PARITY share, with how many fragments the frame has;
 * `undefined` for a layout no frame can have.
 */
function readFrameFields(
  view: DataView,
  session: number,
): (FrameFields & { count: number }) | undefined {
  const frameLength = view.getUint32(OFFSET_FRAME_LENGTH);
  const fragmentSize = view.getUint16(OFFSET_FRAGMENT_SIZE);
  const captureTime = view.getFloat64(OFFSET_CAPTURE_TIME);
  if (fragmentSize === 0 || frameLength === 0 || !Number.isFinite(captureTime)) return undefined;
  const count = Math.ceil(frameLength / fragmentSize);
  if (count > MAX_FRAGMENTS) return undefined;
  const frame = view.getUint32(OFFSET_FRAME);
  return { session, frame, frameLength, fragmentSize, captureTime, count };
}

/**
 * Decodes a DATA datagram whose header `decodePacket` has checked. The
 * payload is a view into `bytes`.
 */
export function decodeData(bytes: Uint8Array, view: DataView): DecodedFrame<Data> {
  if (bytes.length <= DATA_HEADER_SIZE) return { ok: false, reason: "short" };
  const fields = readFrameFields(view, view.getUint32(OFFSET_SESSION));
  if (fields === undefined) return { ok: false, reason: "malformed" };
  // Named, not spread: this runs for every datagram.
  const { session, count, frame, frameLength, fragmentSize, captureTime } = fields;
  const indexField = view.getUint16(OFFSET_INDEX);
  const index = indexField & ~RESENT_BIT;
  const payload = bytes.subarray(DATA_HEADER_SIZE);
  // The layout is fixed by frameLength and fragmentSize: every fragment but the
  // last is exactly fragmentSize long, so no two fragments can overlap or leave a gap.
  if (index >= count) return { ok: false, reason: "malformed" };
  const expected = index === count - 1 ? frameLength - index * fragmentSize : fragmentSize;
  if (payload.length !== expected) return { ok: false, reason: "malformed" };
  return {
    ok: true,
    packet: {
      type: PacketType.DATA,
      session,
      frame,
      frameLength,
      fragmentSize,
      captureTime,
      index,
      resent: (indexField & RESENT_BIT) !== 0,
      payload,
    },
  };
}

/**
 * Decodes a PARITY datagram whose header `decodePacket` has checked. The
 * payload is a view into `bytes`.
 */
export function decodeParity(bytes: Uint8Array, view: DataView): DecodedFrame<Parity> {
  if (bytes.length <= DATA_HEADER_SIZE) return { ok: false, reason: "short" };
  const fields = readFrameFields(view, view.getUint32(OFFSET_SESSION));
  if (fields === undefined) return { ok: false, reason: "malformed" };
  const { session, count, frame, frameLength, fragmentSize, captureTime } = fields;
  const group = view.getUint8(OFFSET_GROUP);
  const groups = view.getUint8(OFFSET_GROUPS);
  const payload = bytes.subarray(DATA_HEADER_SIZE);
  if (groups === 0 || groups > count || group >= groups || payload.length !== fragmentSize) {
    return { ok: false, reason: "malformed" };
  }
  return {
    ok: true,
    packet: {
      type: PacketType.PARITY,
      session,
      frame,
      frameLength,
      fragmentSize,
      captureTime,
      group,
      groups,
      payload,
    },
  };
}
