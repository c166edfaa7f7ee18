/**
 * An RTP packet's fixed header (RFC 3550 section 5.1), read by hand: twelve
 * bytes and two optional parts, less than a package for RTP would bring
 * (the well-kept ones come with a whole WebRTC stack).
 *
 * @module
 */

/** What udpcam reads of an RTP packet. */
export interface RtpPacket {
  /** The marker bit: for RTP/JPEG, the last packet of a frame. */
  marker: boolean;
  payloadType: number;
  /** 16 bits, wrapping. */
  sequence: number;
  /** 32 bits, wrapping; 90 kHz for video. */
  timestamp: number;
  ssrc: number;
  /** The payload, padding taken off: a view into the packet. */
  payload: Uint8Array;
}

/**
 * Reads an RTP packet, or `undefined` for what is not one: too short, not
 * version 2, CSRCs, an extension or padding longer than the packet.
 */
export function decodeRtpPacket(bytes: Uint8Array): RtpPacket | undefined {
  if (bytes.length < 12 || bytes[0] >> 6 !== 2) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const padding = (bytes[0] & 0x20) !== 0;
  const extension = (bytes[0] & 0x10) !== 0;
  const csrcs = bytes[0] & 0x0f;
  let start = 12 + csrcs * 4;
  if (extension) {
    if (bytes.length < start + 4) return undefined;
    start += 4 + view.getUint16(start + 2) * 4;
  }
  let end = bytes.length;
  if (padding) end -= bytes[bytes.length - 1];
  if (start > end || (padding && bytes[bytes.length - 1] === 0)) return undefined;
  return {
    marker: (bytes[1] & 0x80) !== 0,
    payloadType: bytes[1] & 0x7f,
    sequence: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: bytes.subarray(start, end),
  };
}
