import {
  DATA_HEADER_SIZE,
  encodeParityHeader,
  MAX_PARITY_GROUPS,
  type ParityHeader,
} from "./data.ts";

/** Where a frame's parity goes on the wire. */
export interface ParityOptions {
  /** The sender's session id. */
  session: number;
  /** The frame's number within the session. */
  frame: number;
  /** The payload size of every fragment but the last, as the frame was fragmented. */
  fragmentSize: number;
  /** Fragments per parity datagram: the overhead is about 1 / `groupSize`. */
  groupSize: number;
}

/**
 * How many parity groups a frame of `count` fragments gets for a group size:
 * one per `groupSize` fragments, at least 1 and at most
 * {@linkcode MAX_PARITY_GROUPS} (so a very large frame has larger groups).
 */
export function parityGroups(count: number, groupSize: number): number {
  return Math.max(1, Math.min(MAX_PARITY_GROUPS, Math.ceil(count / groupSize)));
}

/**
 * The parity datagrams of one frame: group `g` is the XOR of the fragments
 * whose index `i` has `i % groups == g`, each padded with zeros to the
 * fragment size. Interleaving the groups this way spreads a burst of
 * consecutive losses over different groups, each of which can rebuild one
 * fragment. A frame of a single fragment gets none: parity would only repeat it.
 */
export function parityDatagrams(
  data: Uint8Array,
  captureTime: number,
  options: ParityOptions,
): Uint8Array[] {
  const { fragmentSize } = options;
  const count = Math.ceil(data.length / fragmentSize);
  if (count < 2) return [];
  const groups = parityGroups(count, options.groupSize);
  const datagrams: Uint8Array[] = [];
  const header: ParityHeader = {
    session: options.session,
    frame: options.frame,
    frameLength: data.length,
    group: 0,
    groups,
    fragmentSize,
    captureTime,
  };
  for (let group = 0; group < groups; group++) {
    const datagram = new Uint8Array(DATA_HEADER_SIZE + fragmentSize);
    encodeParityHeader(datagram, { ...header, group });
    const parity = datagram.subarray(DATA_HEADER_SIZE);
    for (let index = group; index < count; index += groups) {
      const start = index * fragmentSize;
      xorInto(parity, data.subarray(start, Math.min(start + fragmentSize, data.length)));
    }
    datagrams.push(datagram);
  }
  return datagrams;
}

/** `target[i] ^= source[i]` over the length of `source` (no longer than `target`). */
export function xorInto(target: Uint8Array, source: Uint8Array): void {
  const n = source.length;
  let i = 0;
  // Four bytes at a time where both views are aligned, then byte by byte.
  if (target.byteOffset % 4 === 0 && source.byteOffset % 4 === 0) {
    const words = n >>> 2;
    const t = new Uint32Array(target.buffer, target.byteOffset, words);
    const s = new Uint32Array(source.buffer, source.byteOffset, words);
    for (let w = 0; w < words; w++) t[w] ^= s[w];
    i = words << 2;
  }
  for (; i < n; i++) target[i] ^= source[i];
}
