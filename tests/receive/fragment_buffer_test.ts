import assert from "node:assert/strict";
import { FragmentBuffer, PROMOTE_AT } from "../../lib/receive/fragment_buffer.ts";

/** A frame of `length` bytes, each byte its own index mod 251. */
function frameOf(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => i % 251);
}

Deno.test("FragmentBuffer puts fragments stored in any order back in place", () => {
  const fragmentSize = 100;
  const cases: Array<{ frameLength: number; order: number[]; upFront: boolean }> = [
    { frameLength: 1000, order: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], upFront: false },
    { frameLength: 1000, order: [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], upFront: false },
    { frameLength: 950, order: [9, 0, 5, 2, 7, 1, 3, 8, 4, 6], upFront: false },
    { frameLength: 950, order: [9, 0, 5, 2, 7, 1, 3, 8, 4, 6], upFront: true },
    { frameLength: 60, order: [0], upFront: false },
  ];
  for (const { frameLength, order, upFront } of cases) {
    const frame = frameOf(frameLength);
    const buffer = new FragmentBuffer({ frameLength, fragmentSize, upFront });
    const fragment = (i: number) => frame.subarray(i * fragmentSize, (i + 1) * fragmentSize);
    for (const [n, index] of order.entries()) {
      buffer.set(index, fragment(index));
      // Every fragment stored so far reads back, before and after the frame's buffer is made.
      for (const stored of order.slice(0, n + 1)) {
        assert.deepEqual(buffer.get(stored), fragment(stored));
        assert.equal(buffer.lengthOf(stored), fragment(stored).length);
      }
    }
    assert.deepEqual(buffer.data, frame, JSON.stringify({ frameLength, order, upFront }));
  }
});

Deno.test("FragmentBuffer holds the whole frame up front, or what came until an eighth did", () => {
  const frameLength = 64 * 1000;
  const fragmentSize = 1000;
  const frame = frameOf(frameLength);
  const fragment = (i: number) => frame.subarray(i * fragmentSize, (i + 1) * fragmentSize);

  const upFront = new FragmentBuffer({ frameLength, fragmentSize, upFront: true });
  assert.equal(upFront.bytesHeld, frameLength);
  upFront.set(3, fragment(3));
  assert.equal(upFront.bytesHeld, frameLength);

  const growing = new FragmentBuffer({ frameLength, fragmentSize });
  assert.equal(growing.bytesHeld, 0);
  assert.equal(growing.data, undefined);
  // [fragments stored, bytes held]: a slab of at least 1 KB, doubling, plus 32 bytes a slot.
  const cases: Array<[number, number]> = [[1, 1024 + 32], [2, 2048 + 64], [3, 4096 + 96]];
  let stored = 0;
  for (const [count, held] of cases) {
    while (stored < count) growing.set(stored, fragment(stored++));
    assert.equal(growing.bytesHeld, held, `${count} fragments`);
  }
  const promoteAfter = Math.ceil((frameLength * PROMOTE_AT) / fragmentSize);
  while (stored < promoteAfter) growing.set(stored, fragment(stored++));
  assert.equal(growing.bytesHeld, frameLength);
  assert.notEqual(growing.data, undefined);
});

Deno.test("FragmentBuffer.maxBytes() is every fragment in a slot, with its map entry", () => {
  const cases: Array<[number, number, number]> = [[1000, 100, 10 * 132], [950, 100, 10 * 132], [
    1,
    1200,
    1232,
  ]];
  for (const [frameLength, fragmentSize, most] of cases) {
    assert.equal(FragmentBuffer.maxBytes(frameLength, fragmentSize), most);
  }
});
