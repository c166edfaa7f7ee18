import assert from "node:assert/strict";
import {
  COOKIE_SIZE,
  DATA_HEADER_SIZE,
  decodePacket,
  encodeControl,
  HELLO_SIZE,
  PacketType,
  writeDataHeader,
} from "../lib/packet.ts";

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

Deno.test("writeDataHeader() writes a DATA header as this byte vector", () => {
  const bytes = new Uint8Array(DATA_HEADER_SIZE + 2);
  writeDataHeader(bytes, {
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
});

Deno.test("decodePacket() rejects what is not a well-formed udpcam datagram", () => {
  const data = new Uint8Array(DATA_HEADER_SIZE + 10);
  writeDataHeader(data, {
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
