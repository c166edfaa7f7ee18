import assert from "node:assert/strict";
import {
  DATA_HEADER_SIZE,
  decodePacket,
  encodeControl,
  encodeDataHeader,
  encodeNack,
  encodeParityHeader,
  MAX_FRAGMENTS,
  MAX_NACK_RANGES,
  MAX_SENDER_NAME,
  NACK_HEADER_SIZE,
  NACK_RANGE_SIZE,
  type NackRange,
  PacketType,
  type ParityHeader,
} from "../../lib/wire/mod.ts";
import { cookie, decode } from "./_codec_fixture.ts";

Deno.test("decodePacket() round-trips every control message", () => {
  const messages = [
    { type: PacketType.HELLO, session: 0, receiver: 9, time: 1700000000000.5 },
    {
      type: PacketType.CHALLENGE,
      session: 5,
      receiver: 9,
      echoTime: 1.5,
      senderTime: 2.5,
      cookie,
    },
    { type: PacketType.JOIN, session: 5, receiver: 9, time: 3, cookie },
    {
      type: PacketType.KEEPALIVE,
      session: 5,
      receiver: 9,
      time: 4,
      cookie,
      report: {
        fragments: 0xffffffff,
        missing: 7,
        recovered: 6,
        framesShown: 300,
        framesLost: 2,
        rttMs: 4.125,
        queueDelayMs: 0.5,
      },
    },
    { type: PacketType.ACK, session: 5, receiver: 9, echoTime: 4, senderTime: 5 },
    { type: PacketType.BYE, session: 5, receiver: 9, cookie },
  ] as const;
  for (const message of messages) {
    assert.deepEqual(decode(encodeControl(message)), message);
  }
});

Deno.test("decodePacket() rejects what is not a well-formed udpcam datagram", () => {
  const data = new Uint8Array(DATA_HEADER_SIZE + 10);
  encodeDataHeader(data, {
    session: 1,
    frame: 0,
    frameLength: 10,
    index: 0,
    fragmentSize: 10,
    captureTime: 0,
  });
  const withByte = (offset: number, value: number) => {
    const copy = data.slice();
    copy[offset] = value;
    return copy;
  };
  const nanTime = data.slice();
  new DataView(nanTime.buffer).setFloat64(20, NaN);
  const cases: Array<[string, Uint8Array, string]> = [
    ["empty", new Uint8Array(0), "short"],
    ["shorter than the header", data.subarray(0, 7), "short"],
    ["DATA with no payload", data.subarray(0, DATA_HEADER_SIZE), "short"],
    ["base64 text", new TextEncoder().encode("/9j/4AAQSkZJRgABAQ"), "foreign"],
    ["another version", withByte(2, 2), "version"],
    ["an unknown type", withByte(3, 99), "type"],
    [
      "a truncated hello",
      encodeControl({ type: 1, session: 0, receiver: 1, time: 0 }).subarray(0, 31),
      "short",
    ],
    ["a fragment size of 0", withByte(19, 0), "malformed"],
    ["an index past the last fragment", withByte(17, 1), "malformed"],
    ["a payload longer than the frame says", data.subarray(0, DATA_HEADER_SIZE + 9), "malformed"],
    ["a capture time that is not a number", nanTime, "malformed"],
  ];
  for (const [name, bytes, reason] of cases) {
    assert.deepEqual(decodePacket(bytes), { ok: false, reason }, name);
  }
});

Deno.test("decodePacket() never throws on random bytes", () => {
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 20_000; i++) {
    const bytes = Uint8Array.from({ length: Math.floor(random() * 80) }, () => random() * 256);
    if (i % 2 === 0 && bytes.length >= 4) bytes.set([0x55, 0x43, 0x01, 1 + (i % 7)]);
    decodePacket(bytes);
  }
});

/** A DATA-sized buffer holding a PARITY header and a `payloadLength`-byte payload. */
function parityBytes(fields: Partial<ParityHeader>, payloadLength = 4): Uint8Array {
  const bytes = new Uint8Array(DATA_HEADER_SIZE + payloadLength);
  encodeParityHeader(bytes, {
    session: 1,
    frame: 0,
    frameLength: 10,
    group: 0,
    groups: 2,
    fragmentSize: 4,
    captureTime: 0,
    ...fields,
  });
  return bytes;
}

function nackRanges(n: number): NackRange[] {
  return Array.from({ length: n }, (_, i) => ({ frame: 1000 + i, index: i * 3, count: 1 + i }));
}

Deno.test("decodePacket() round-trips a NACK of 1 and of 128 ranges", () => {
  for (const n of [1, MAX_NACK_RANGES]) {
    const nack = { type: PacketType.NACK, session: 5, receiver: 9, cookie, ranges: nackRanges(n) };
    const bytes = encodeNack(nack);
    assert.equal(bytes.length, NACK_HEADER_SIZE + n * NACK_RANGE_SIZE);
    assert.deepEqual(decode(bytes), nack, `${n} ranges`);
  }
  const edge = { frame: 0xffffffff, index: MAX_FRAGMENTS - 1, count: 1 };
  const nack = { type: PacketType.NACK, session: 0, receiver: 0, cookie, ranges: [edge] };
  assert.deepEqual(decode(encodeNack(nack)), nack, "the last fragment of the last frame");
});

Deno.test("decodePacket() rejects a malformed NACK", () => {
  const one = encodeNack({ session: 1, receiver: 1, cookie, ranges: nackRanges(1) });
  const full = encodeNack({ session: 1, receiver: 1, cookie, ranges: nackRanges(128) });
  const withRange = (index: number, count: number) => {
    const copy = one.slice();
    const view = new DataView(copy.buffer);
    view.setUint16(NACK_HEADER_SIZE + 4, index);
    view.setUint16(NACK_HEADER_SIZE + 6, count);
    return copy;
  };
  const cases: Array<[string, Uint8Array, string]> = [
    ["no range at all", one.subarray(0, NACK_HEADER_SIZE), "short"],
    ["half a range", one.subarray(0, NACK_HEADER_SIZE + 4), "short"],
    ["a partial second range", Uint8Array.of(...one, 0, 0, 0, 1), "malformed"],
    ["a range and one byte", Uint8Array.of(...one, 0), "malformed"],
    ["129 ranges", Uint8Array.of(...full, ...full.subarray(-NACK_RANGE_SIZE)), "malformed"],
    ["a range of count 0", withRange(0, 0), "malformed"],
    ["index + count = 65536", withRange(MAX_FRAGMENTS, 1), "malformed"],
    ["index + count far past 65535", withRange(60_000, 10_000), "malformed"],
  ];
  for (const [name, bytes, reason] of cases) {
    assert.deepEqual(decodePacket(bytes), { ok: false, reason }, name);
  }
  assert.ok(decodePacket(withRange(MAX_FRAGMENTS - 1, 1)).ok, "index + count = 65535 is fine");
});

Deno.test("decodePacket() rejects a malformed PARITY", () => {
  // frameLength 10 with fragmentSize 4: 3 fragments.
  const cases: Array<[string, Uint8Array, string]> = [
    ["no payload", parityBytes({}, 0), "short"],
    ["groups 0", parityBytes({ group: 0, groups: 0 }), "malformed"],
    ["group equal to groups", parityBytes({ group: 2, groups: 2 }), "malformed"],
    ["group above groups", parityBytes({ group: 200, groups: 2 }), "malformed"],
    ["more groups than fragments", parityBytes({ group: 0, groups: 4 }), "malformed"],
    ["a payload shorter than fragmentSize", parityBytes({}, 3), "malformed"],
    ["a payload longer than fragmentSize", parityBytes({}, 5), "malformed"],
    ["a fragment size of 0", parityBytes({ fragmentSize: 0 }), "malformed"],
    ["a frame length of 0", parityBytes({ frameLength: 0 }), "malformed"],
    ["a capture time that is not a number", parityBytes({ captureTime: Infinity }), "malformed"],
  ];
  for (const [name, bytes, reason] of cases) {
    assert.deepEqual(decodePacket(bytes), { ok: false, reason }, name);
  }
  assert.ok(decodePacket(parityBytes({ group: 2, groups: 3 })).ok, "one group per fragment");
});

Deno.test("decodePacket() never throws on random NACK and PARITY datagrams", () => {
  let seed = 3;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 4_000; i++) {
    const bytes = Uint8Array.from({ length: Math.floor(random() * 1100) }, () => random() * 256);
    if (bytes.length >= 4) bytes.set([0x55, 0x43, 0x01, i % 2 === 0 ? 8 : 9]);
    decodePacket(bytes);
  }
});

Deno.test("decodePacket() reads an ACK without info as before, and ignores info that does not fit", () => {
  const plain = encodeControl({
    type: PacketType.ACK,
    session: 5,
    receiver: 9,
    echoTime: 4,
    senderTime: 5,
  });
  assert.equal(plain.length, 28);
  assert.equal("info" in decode(plain), false);
  const ack = encodeControl({
    type: PacketType.ACK,
    session: 5,
    receiver: 9,
    echoTime: 4,
    senderTime: 5,
    info: { name: "x".repeat(MAX_SENDER_NAME), startedAt: 1 },
  });
  assert.equal(ack.length, 37 + MAX_SENDER_NAME);
  // An old receiver reads the first 28 bytes: the same ACK.
  assert.deepEqual(decode(ack.slice(0, 28)), decode(plain));
  const truncated = ack.slice(0, ack.length - 1);
  const tooLong = ack.slice();
  tooLong[36] = MAX_SENDER_NAME + 1;
  const notFinite = ack.slice();
  new DataView(notFinite.buffer).setFloat64(28, NaN);
  for (const bytes of [truncated, tooLong, notFinite]) {
    assert.deepEqual(decode(bytes), decode(plain));
  }
  assert.throws(
    () =>
      encodeControl({
        type: PacketType.ACK,
        session: 5,
        receiver: 9,
        echoTime: 4,
        senderTime: 5,
        info: { name: "é".repeat(33), startedAt: 1 },
      }),
    RangeError,
  );
});
