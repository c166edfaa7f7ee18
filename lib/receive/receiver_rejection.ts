import { REJECT_REASONS } from "../wire/decode_packet.ts";

/**
 * Why the receiver dropped a datagram from its sender: the decoder's reasons, and
 * - `wrongKey`: sealed, and it did not authenticate with this receiver's keys;
 * - `unsealed`: in the clear, to a receiver with a key, and not an answer to
 *   a datagram it sent;
 * - `sealed`: sealed, to a receiver without a key;
 * - `replayed`: authenticated, but seen before, older than the replay window
 *   or too far ahead of it; or an answer to nothing this receiver still
 *   waits on (a CHALLENGE or REFUSED played back);
 * - `stale`: sealed for a session this receiver has no keys for (not joined
 *   yet, or the sender restarted).
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
