import assert from "node:assert/strict";
import { decodePacket } from "../../lib/wire/decode_packet.ts";
import { type DecodedHeader, decodeHeader, PacketType } from "../../lib/wire/header.ts";

/** A header as bytes: magic, version, type byte, session, then `tail` bytes of zeros. */
function header(bytes: number[], tail = 0): Uint8Array {
  const datagram = new Uint8Array(bytes.length + tail);
  datagram.set(bytes);
  return datagram;
}

Deno.test("decodeHeader() reads the type, the sealed bit and the session, or says why not", () => {
  const inside = new Uint8Array(12);
  inside.set([0x55, 0x43, 0x01, 0x08, 0x00, 0x00, 0x00, 0x2a], 4);
  const cases: Array<[string, Uint8Array, DecodedHeader]> = [
    [
      "a HELLO of session 0",
      // magic "UC" | version 1 | type 1 | session 0
      header([0x55, 0x43, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00], 24),
      { ok: true, type: PacketType.HELLO, sealed: false, session: 0 },
    ],
    [
      "a sealed DATA of session 0xdeadbeef",
      // magic "UC" | version 1 | sealed bit + type 7 | session 0xdeadbeef
      header([0x55, 0x43, 0x01, 0x87, 0xde, 0xad, 0xbe, 0xef]),
      { ok: true, type: PacketType.DATA, sealed: true, session: 0xdeadbeef },
    ],
    [
      "a type this code does not know, given as it is",
      header([0x55, 0x43, 0x01, 0x63, 0x00, 0x00, 0x00, 0x01]),
      { ok: true, type: 99, sealed: false, session: 1 },
    ],
    [
      "a header at an offset in its buffer",
      inside.subarray(4),
      { ok: true, type: PacketType.NACK, sealed: false, session: 42 },
    ],
    ["empty", new Uint8Array(0), { ok: false, reason: "short" }],
    [
      "one byte short of a header",
      header([0x55, 0x43, 0x01, 0x01, 0x00, 0x00, 0x00]),
      { ok: false, reason: "short" },
    ],
    [
      "another magic",
      header([0x55, 0x44, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00]),
      { ok: false, reason: "foreign" },
    ],
    [
      "another magic and another version",
      header([0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00]),
      { ok: false, reason: "foreign" },
    ],
    [
      "version 2",
      header([0x55, 0x43, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00]),
      { ok: false, reason: "version" },
    ],
  ];
  for (const [name, bytes, expected] of cases) {
    assert.deepEqual(decodeHeader(bytes), expected, name);
  }
});

Deno.test("decodePacket() rejects a sealed datagram by its type: it is opened first", () => {
  const sealed = header([0x55, 0x43, 0x01, 0x87, 0x00, 0x00, 0x00, 0x01], 100);
  assert.deepEqual(decodePacket(sealed), { ok: false, reason: "type" });
});
