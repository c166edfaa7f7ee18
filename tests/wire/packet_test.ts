import assert from "node:assert/strict";
import { SEAL_OVERHEAD } from "../../lib/seal/datagram_seal.ts";
import {
  COOKIE_SIZE,
  DATA_HEADER_SIZE,
  decodePacket,
  encodeControl,
  encodeDataHeader,
  encodeNack,
  encodeParityHeader,
  HELLO_SIZE,
  KEEPALIVE_SIZE,
  MAX_FRAGMENTS,
  MAX_NACK_RANGES,
  MAX_SENDER_NAME,
  NACK_HEADER_SIZE,
  NACK_RANGE_SIZE,
  type NackRange,
  PacketType,
  type ParityHeader,
} from "../../lib/wire/mod.ts";

const cookie = Uint8Array.from({ length: COOKIE_SIZE }, (_, i) => 0xa0 + i);

function decode(bytes: Uint8Array) {
  const result = decodePacket(bytes);
  assert.ok(result.ok, `expected a packet, got ${!result.ok && result.reason}`);
  return result.packet;
}

Deno.test("encodeControl() writes a hello as this byte vector", () => {
  const bytes = encodeControl({
    type: PacketType.HELLO,
    session: 0,
    receiver: 0x01020304,
    time: 1,
  });
  assert.deepEqual(
    [...bytes],
    [
      0x55,
      0x43, // magic "UC"
      0x01, // version
      0x01, // type HELLO
      0x00,
      0x00,
      0x00,
      0x00, // session 0
      0x01,
      0x02,
      0x03,
      0x04, // receiver id
      0x3f,
      0xf0,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00, // time 1.0 as float64
      ...new Array(HELLO_SIZE - 20).fill(0), // padding to 32 bytes
    ],
  );
});

Deno.test("encodeDataHeader() writes a DATA header as this byte vector", () => {
  const bytes = new Uint8Array(DATA_HEADER_SIZE + 2);
  encodeDataHeader(bytes, {
    session: 0xdeadbeef,
    frame: 7,
    frameLength: 1002,
    index: 1,
    fragmentSize: 1000,
    captureTime: 2,
  });
  bytes.set([0xff, 0xd9], DATA_HEADER_SIZE);
  assert.deepEqual(
    [...bytes],
    [
      0x55,
      0x43,
      0x01,
      0x07, // magic, version, type DATA
      0xde,
      0xad,
      0xbe,
      0xef, // session
      0x00,
      0x00,
      0x00,
      0x07, // frame 7
      0x00,
      0x00,
      0x03,
      0xea, // frame length 1002
      0x00,
      0x01, // index 1
      0x03,
      0xe8, // fragment size 1000
      0x40,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00, // capture time 2.0
      0xff,
      0xd9, // payload: the last 2 bytes of the frame
    ],
  );
  const packet = decode(bytes);
  assert.equal(packet.type, PacketType.DATA);
  if (packet.type !== PacketType.DATA) return;
  assert.equal(packet.session, 0xdeadbeef);
  assert.equal(packet.frame, 7);
  assert.equal(packet.frameLength, 1002);
  assert.equal(packet.index, 1);
  assert.equal(packet.fragmentSize, 1000);
  assert.equal(packet.captureTime, 2);
  assert.deepEqual([...packet.payload], [0xff, 0xd9]);
});

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

Deno.test("encodeControl() keeps every reply to a hello within 3 times its size", () => {
  const hello = encodeControl({ type: PacketType.HELLO, session: 0, receiver: 1, time: 0 });
  const challenge = encodeControl({
    type: PacketType.CHALLENGE,
    session: 1,
    receiver: 1,
    echoTime: 0,
    senderTime: 0,
    cookie,
  });
  assert.ok(challenge.length <= 3 * hello.length, `${challenge.length} > 3 x ${hello.length}`);
  // With a key: the salt named to a hello in the clear, and the keyed challenge
  // to a sealed hello, both sealed with the same overhead.
  const nonce = new Uint8Array(12).fill(1);
  const announced = encodeControl({
    type: PacketType.REFUSED,
    session: 1,
    reason: 1,
    echo: nonce,
    salt: new Uint8Array(16),
  });
  assert.ok(announced.length <= 3 * hello.length, `${announced.length} > 3 x ${hello.length}`);
  const keyed = encodeControl({
    type: PacketType.CHALLENGE,
    session: 1,
    receiver: 1,
    echoTime: 0,
    senderTime: 0,
    cookie,
    nonce,
    share: new Uint8Array(32),
  });
  const overhead = SEAL_OVERHEAD;
  assert.ok(
    keyed.length + overhead <= 3 * (hello.length + overhead),
    `${keyed.length + overhead} > 3 x ${hello.length + overhead}`,
  );
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

Deno.test("encodeNack() writes a one-range NACK as this byte vector", () => {
  const bytes = encodeNack({
    session: 5,
    receiver: 9,
    cookie,
    ranges: [{ frame: 0x01020304, index: 3, count: 2 }],
  });
  assert.deepEqual(
    [...bytes],
    [
      0x55,
      0x43, // magic "UC"
      0x01, // version
      0x08, // type NACK
      0x00,
      0x00,
      0x00,
      0x05, // session 5
      0x00,
      0x00,
      0x00,
      0x09, // receiver id 9
      ...cookie, // cookie, 16 bytes
      0x01,
      0x02,
      0x03,
      0x04, // range frame 0x01020304
      0x00,
      0x03, // range first index 3
      0x00,
      0x02, // range count 2
    ],
  );
  assert.equal(bytes.length, NACK_HEADER_SIZE + NACK_RANGE_SIZE);
});

Deno.test("encodeParityHeader() writes a PARITY header as this byte vector", () => {
  const bytes = new Uint8Array(DATA_HEADER_SIZE + 4);
  encodeParityHeader(bytes, {
    session: 0xdeadbeef,
    frame: 7,
    frameLength: 10,
    group: 1,
    groups: 2,
    fragmentSize: 4,
    captureTime: 2,
  });
  bytes.set([0x11, 0x22, 0x33, 0x44], DATA_HEADER_SIZE);
  assert.deepEqual(
    [...bytes],
    [
      0x55,
      0x43,
      0x01,
      0x09, // magic, version, type PARITY
      0xde,
      0xad,
      0xbe,
      0xef, // session
      0x00,
      0x00,
      0x00,
      0x07, // frame 7
      0x00,
      0x00,
      0x00,
      0x0a, // frame length 10: 3 fragments of 4, 4 and 2 bytes
      0x01, // group 1
      0x02, // of 2 groups
      0x00,
      0x04, // fragment size 4
      0x40,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00, // capture time 2.0
      0x11,
      0x22,
      0x33,
      0x44, // payload: the XOR of group 1, fragment size long
    ],
  );
  assert.deepEqual(decode(bytes), {
    type: PacketType.PARITY,
    session: 0xdeadbeef,
    frame: 7,
    frameLength: 10,
    group: 1,
    groups: 2,
    fragmentSize: 4,
    captureTime: 2,
    payload: Uint8Array.of(0x11, 0x22, 0x33, 0x44),
  });
});

Deno.test("encodeControl() writes a KEEPALIVE with its report as this byte vector", () => {
  const bytes = encodeControl({
    type: PacketType.KEEPALIVE,
    session: 5,
    receiver: 9,
    time: 4,
    cookie,
    report: {
      fragments: 0x01020304,
      missing: 7,
      recovered: 6,
      framesShown: 300,
      framesLost: 2,
      rttMs: 4.125,
      queueDelayMs: 0.5,
    },
  });
  assert.deepEqual(
    [...bytes],
    [
      0x55,
      0x43,
      0x01,
      0x04, // magic, version, type KEEPALIVE
      0x00,
      0x00,
      0x00,
      0x05, // session 5
      0x00,
      0x00,
      0x00,
      0x09, // receiver id 9
      0x40,
      0x10,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00,
      0x00, // time 4.0 as float64
      ...cookie, // cookie, 16 bytes
      0x01,
      0x02,
      0x03,
      0x04, // fragments received 0x01020304
      0x00,
      0x00,
      0x00,
      0x07, // fragments missing 7
      0x00,
      0x00,
      0x00,
      0x06, // fragments recovered 6
      0x00,
      0x00,
      0x01,
      0x2c, // frames shown 300
      0x00,
      0x00,
      0x00,
      0x02, // frames lost 2
      0x00,
      0x00,
      0x10,
      0x1d, // round-trip time 4125 us (4.125 ms)
      0x00,
      0x00,
      0x01,
      0xf4, // queueing delay 500 us (0.5 ms)
    ],
  );
  assert.equal(bytes.length, KEEPALIVE_SIZE);
});

Deno.test("encodeControl() wraps report counters at 2^32", () => {
  const report = {
    fragments: 2 ** 32 + 5,
    missing: 2 ** 33 + 1,
    recovered: 2 ** 32,
    framesShown: 0xffffffff,
    framesLost: 2 ** 32 + 0xffffffff,
    rttMs: 1,
    queueDelayMs: 0,
  };
  const packet = decode(
    encodeControl({ type: PacketType.KEEPALIVE, session: 1, receiver: 2, time: 0, cookie, report }),
  );
  assert.equal(packet.type, PacketType.KEEPALIVE);
  if (packet.type !== PacketType.KEEPALIVE) return;
  assert.deepEqual(packet.report, {
    fragments: 5,
    missing: 1,
    recovered: 0,
    framesShown: 0xffffffff,
    framesLost: 0xffffffff,
    rttMs: 1,
    queueDelayMs: 0,
  });
});

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

Deno.test("encodeNack() throws a RangeError for 0 or 129 ranges, or a range out of bounds", () => {
  const cases: Array<[string, NackRange[]]> = [
    ["no range", []],
    ["129 ranges", nackRanges(MAX_NACK_RANGES + 1)],
    ["a range of 0 fragments", [{ frame: 1, index: 0, count: 0 }]],
    ["a range past the last index", [{ frame: 1, index: MAX_FRAGMENTS - 1, count: 2 }]],
  ];
  for (const [name, ranges] of cases) {
    assert.throws(() => encodeNack({ session: 1, receiver: 1, cookie, ranges }), RangeError, name);
  }
});

Deno.test("encodeNack() never writes a NACK longer than 1052 bytes", () => {
  for (let n = 1; n <= MAX_NACK_RANGES; n++) {
    const bytes = encodeNack({ session: 1, receiver: 1, cookie, ranges: nackRanges(n) });
    assert.ok(bytes.length <= 1052, `${n} ranges: ${bytes.length} bytes`);
  }
  assert.equal(NACK_HEADER_SIZE + MAX_NACK_RANGES * NACK_RANGE_SIZE, 1052);
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

Deno.test("encodeControl() writes an ACK with the sender's info as this byte vector", () => {
  const bytes = encodeControl({
    type: PacketType.ACK,
    session: 5,
    receiver: 9,
    echoTime: 4,
    senderTime: 4,
    info: { name: "cam é", startedAt: 4 },
  });
  // deno-fmt-ignore
  assert.deepEqual([...bytes], [
    0x55, 0x43, 0x01, 0x05, // magic, version, type ACK
    0x00, 0x00, 0x00, 0x05, // session 5
    0x00, 0x00, 0x00, 0x09, // receiver id 9
    0x40, 0x10, 0, 0, 0, 0, 0, 0, // echoed time 4.0
    0x40, 0x10, 0, 0, 0, 0, 0, 0, // sender time 4.0
    0x40, 0x10, 0, 0, 0, 0, 0, 0, // started at 4.0
    0x06, // name length: 6 bytes
    0x63, 0x61, 0x6d, 0x20, 0xc3, 0xa9, // "cam é" in UTF-8
  ]);
  assert.deepEqual(decode(bytes), {
    type: PacketType.ACK,
    session: 5,
    receiver: 9,
    echoTime: 4,
    senderTime: 4,
    info: { name: "cam é", startedAt: 4 },
  });
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
