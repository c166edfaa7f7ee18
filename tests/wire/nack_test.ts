import assert from "node:assert/strict";
import {
  encodeNack,
  MAX_FRAGMENTS,
  MAX_NACK_RANGES,
  NACK_HEADER_SIZE,
  NACK_RANGE_SIZE,
  type NackRange,
} from "../../lib/wire/mod.ts";
import { cookie } from "./_codec_fixture.ts";

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
