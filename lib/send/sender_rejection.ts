import { type Packet, REJECT_REASONS } from "../wire/decode_packet.ts";

/**
 * Why the sender dropped a datagram: the decoder's reasons, and
 * - `wrongKey`: sealed, and it did not authenticate with this sender's key;
 * - `unsealed`: in the clear, to a sender with a key;
 * - `sealed`: sealed, to a sender without a key;
 * - `replayed`: authenticated, but seen before (or older than the replay window);
 * - `stale`: sealed for a session that is not this sender's;
 * - `rateLimited`: from an address not streamed to, beyond its share of answers.
 *
 * `short`, `foreign`, `version` and `type` are judged from the header and the
 * size alone, before anything else: the sender takes only what a receiver
 * sends (HELLO, JOIN, KEEPALIVE, BYE, NACK), at least as long as the smallest
 * of its type, sealed or not.
 */
export type SenderRejection = typeof SENDER_REJECTIONS[number];

/** Every {@linkcode SenderRejection}, for counters. */
export const SENDER_REJECTIONS = [
  ...REJECT_REASONS,
  "wrongKey",
  "unsealed",
  "sealed",
  "replayed",
  "stale",
  "rateLimited",
] as const;

/**
 * What `SenderGate.take` (and `SealedJoins.take`) makes of a datagram: a packet for the
 * handshake; a reply the gate makes itself, nothing refused (the salt, to a
 * receiver with the key that asks for it); or why it was dropped.
 */
export type GateResult =
  | { ok: true; packet: Packet; reply?: undefined }
  | { ok: true; packet?: undefined; reply: Uint8Array }
  | {
    ok: false;
    reason: SenderRejection;
    /** A REFUSED to send back, telling the receiver why. */
    reply?: Uint8Array;
  };
