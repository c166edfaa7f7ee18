import { DATA_HEADER_SIZE, encodeDataHeader, MAX_FRAGMENTS } from "./data.ts";
import { MAX_DATAGRAM } from "./header.ts";

/** Where a frame goes on the wire. */
export interface FragmentOptions {
  /** The sender's session id. */
  session: number;
  /** The frame's number within the session. */
  frame: number;
  /** The largest datagram to produce, header included. */
  mtu: number;
}

/** The smallest `--mtu` that leaves room for a useful payload. */
export const MIN_MTU = DATA_HEADER_SIZE + 256;

/** The largest frame the protocol can carry at a given MTU (32,767 fragments). */
export function maxFrameLength(mtu: number): number {
  return MAX_FRAGMENTS * (mtu - DATA_HEADER_SIZE);
}

/**
 * Splits one JPEG into DATA datagrams of at most `mtu` bytes. All datagrams
 * are views into one buffer, so a frame costs one allocation and one copy.
 */
export function fragmentFrame(
  data: Uint8Array,
  captureTime: number,
  options: FragmentOptions,
): Uint8Array[] {
  const { mtu } = options;
  if (!Number.isInteger(mtu) || mtu < MIN_MTU || mtu > MAX_DATAGRAM) {
    throw new RangeError(`The MTU must be an integer from ${MIN_MTU} to ${MAX_DATAGRAM}`);
  }
  if (data.length === 0) throw new RangeError("Cannot send an empty frame");
  if (data.length > maxFrameLength(mtu)) {
    throw new RangeError(`A frame of ${data.length} bytes is too large for an MTU of ${mtu}`);
  }
  const fragmentSize = Math.min(mtu - DATA_HEADER_SIZE, data.length);
  const count = Math.ceil(data.length / fragmentSize);
  const buffer = new Uint8Array(count * DATA_HEADER_SIZE + data.length);
  const datagrams: Uint8Array[] = new Array(count);
  let at = 0;
  for (let index = 0; index < count; index++) {
    const start = index * fragmentSize;
    const end = Math.min(start + fragmentSize, data.length);
    const datagram = buffer.subarray(at, at + DATA_HEADER_SIZE + end - start);
    encodeDataHeader(datagram, {
      session: options.session,
      frame: options.frame,
      frameLength: data.length,
      index,
      fragmentSize,
      captureTime,
    });
    datagram.set(data.subarray(start, end), DATA_HEADER_SIZE);
    datagrams[index] = datagram;
    at += datagram.length;
  }
  return datagrams;
}
