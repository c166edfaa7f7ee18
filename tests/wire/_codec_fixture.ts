import assert from "node:assert/strict";
import { COOKIE_SIZE, decodePacket, type Packet } from "../../lib/wire/mod.ts";

/** A cookie whose bytes are easy to spot in a byte vector: 0xa0, 0xa1, … */
export const cookie: Uint8Array = Uint8Array.from({ length: COOKIE_SIZE }, (_, i) => 0xa0 + i);

/** The packet `bytes` decode to; fails the test if they do not. */
export function decode(bytes: Uint8Array): Packet {
  const result = decodePacket(bytes);
  assert.ok(result.ok, `expected a packet, got ${!result.ok && result.reason}`);
  return result.packet;
}
