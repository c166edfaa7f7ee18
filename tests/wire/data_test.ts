import assert from "node:assert/strict";
import {
  DATA_HEADER_SIZE,
  encodeDataHeader,
  encodeParityHeader,
  PacketType,
} from "../../lib/wire/mod.ts";
import { decode } from "./_codec_fixture.ts";

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
