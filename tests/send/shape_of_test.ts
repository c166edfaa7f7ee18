import assert from "node:assert/strict";
import { SEAL_OVERHEAD } from "../../lib/seal/datagram_seal.ts";
import { type Shape, shapeOf } from "../../lib/send/shape_of.ts";
import { HELLO_SIZE, JOIN_SIZE } from "../../lib/wire/handshake.ts";
import { nackSize } from "../../lib/wire/nack.ts";
import { encodeHeader, PacketType, SEALED_BIT } from "../../lib/wire/header.ts";

/** `size` bytes with a header of `type` (the sealed bit set if `sealed`) and session 9. */
function datagram(type: number, size: number, sealed = false): Uint8Array {
  return encodeHeader(size, sealed ? type | SEALED_BIT : type, 9)[0];
}

Deno.test("shapeOf() takes only what a receiver sends, at least as long as its type", () => {
  const { HELLO, JOIN, NACK, DATA, ACK } = PacketType;
  const sealedJoin = JOIN_SIZE + SEAL_OVERHEAD;
  const ok = (type: number, sealed: boolean, renewal: boolean): Shape => ({
    ok: true,
    type,
    sealed,
    session: 9,
    renewal,
  });
  const cases: Array<[string, Uint8Array, Shape]> = [
    ["empty", new Uint8Array(0), { ok: false, reason: "short" }],
    ["shorter than a header", datagram(HELLO, 7 + 1).subarray(0, 7), {
      ok: false,
      reason: "short",
    }],
    ["another magic", new Uint8Array(HELLO_SIZE).fill(1), { ok: false, reason: "foreign" }],
    ["a DATA, which only a sender sends", datagram(DATA, 1200), { ok: false, reason: "type" }],
    ["an ACK, which only a sender sends", datagram(ACK, 64), { ok: false, reason: "type" }],
    ["a sealed DATA", datagram(DATA, 1200, true), { ok: false, reason: "type" }],
    ["a HELLO one byte short", datagram(HELLO, HELLO_SIZE - 1), { ok: false, reason: "short" }],
    ["a HELLO", datagram(HELLO, HELLO_SIZE), ok(HELLO, false, false)],
    ["a NACK of one range", datagram(NACK, nackSize(1)), ok(NACK, false, false)],
    [
      "a sealed JOIN too short for the seal",
      datagram(JOIN, sealedJoin - 1, true),
      { ok: false, reason: "short" },
    ],
    [
      "a sealed JOIN that echoes a new cookie",
      datagram(JOIN, sealedJoin, true),
      ok(JOIN, true, true),
    ],
    [
      "a sealed JOIN with the key tail",
      datagram(JOIN, sealedJoin + 44, true),
      ok(JOIN, true, false),
    ],
    [
      "a JOIN in the clear of a sealed JOIN's size",
      datagram(JOIN, sealedJoin),
      ok(JOIN, false, false),
    ],
  ];
  for (const [name, bytes, expected] of cases) {
    assert.deepEqual(shapeOf(bytes), expected, name);
  }
});
