import assert from "node:assert/strict";
import { SEAL_OVERHEAD } from "../../lib/seal/datagram_seal.ts";
import { encodeControl, HELLO_SIZE, KEEPALIVE_SIZE, PacketType } from "../../lib/wire/mod.ts";
import { cookie, decode } from "./_codec_fixture.ts";

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
