import assert from "node:assert/strict";
import { fragmentFrame, maxFrameLength } from "../../lib/wire/fragment_frame.ts";
import { DATA_HEADER_SIZE, decodePacket, PacketType } from "../../lib/wire/mod.ts";

function frameOf(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7) & 0xff);
}

Deno.test("fragmentFrame() splits a frame into datagrams no larger than the MTU", () => {
  const data = frameOf(5000);
  const datagrams = fragmentFrame(data, 42.5, { session: 3, frame: 9, mtu: 1200 });
  assert.equal(datagrams.length, Math.ceil(5000 / (1200 - DATA_HEADER_SIZE)));
  const rebuilt = new Uint8Array(5000);
  datagrams.forEach((datagram, index) => {
    assert.ok(datagram.length <= 1200);
    const decoded = decodePacket(datagram);
    assert.ok(decoded.ok && decoded.packet.type === PacketType.DATA);
    const packet = decoded.packet;
    assert.equal(packet.index, index);
    assert.equal(packet.frame, 9);
    assert.equal(packet.session, 3);
    assert.equal(packet.captureTime, 42.5);
    rebuilt.set(packet.payload, index * packet.fragmentSize);
  });
  assert.deepEqual(rebuilt, data);
});

Deno.test("fragmentFrame() carries a 4 MB frame at the default MTU", () => {
  const data = frameOf(4 * 1024 * 1024);
  const datagrams = fragmentFrame(data, 0, { session: 1, frame: 0, mtu: 1200 });
  assert.equal(datagrams.length, Math.ceil(data.length / 1172));
  assert.ok(maxFrameLength(1200) > 32 * 1024 * 1024);
});

Deno.test("fragmentFrame() sends a frame smaller than one fragment as one datagram", () => {
  const datagrams = fragmentFrame(frameOf(10), 0, { session: 1, frame: 0, mtu: 1200 });
  assert.equal(datagrams.length, 1);
  assert.equal(datagrams[0].length, DATA_HEADER_SIZE + 10);
});

Deno.test("fragmentFrame() refuses an MTU it cannot use and an empty frame", () => {
  assert.throws(
    () => fragmentFrame(frameOf(10), 0, { session: 1, frame: 0, mtu: 100 }),
    RangeError,
  );
  assert.throws(
    () => fragmentFrame(frameOf(10), 0, { session: 1, frame: 0, mtu: 70_000 }),
    RangeError,
  );
  assert.throws(
    () => fragmentFrame(frameOf(0), 0, { session: 1, frame: 0, mtu: 1200 }),
    RangeError,
  );
});
