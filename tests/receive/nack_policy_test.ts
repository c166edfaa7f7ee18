import assert from "node:assert/strict";
import { decodePacket, MAX_NACK_RANGES, type NackRange, PacketType } from "../../lib/wire/mod.ts";
import {
  autoLatencyMs,
  dueOptions,
  encodeNacks,
  RECOVERY,
  retryMs,
} from "../../lib/receive/nack_policy.ts";

Deno.test("autoLatencyMs() gives three rounds plus 25 ms, from 30 ms to 1 s", () => {
  const cases: Array<[number | undefined, number]> = [
    [undefined, 30],
    [0, 30],
    [1, 30],
    [2, 31],
    [10, 55],
    [100, 325],
    [325, 1000],
    [10_000, 1000],
  ];
  for (const [rtt, expected] of cases) assert.equal(autoLatencyMs(rtt), expected, `rtt ${rtt}`);
});

Deno.test("retryMs() asks again after 1.25 round trips plus 2 ms, at least 3 ms", () => {
  const cases: Array<[number | undefined, number]> = [
    [undefined, 3],
    [0, 3],
    [0.5, 3],
    [4, 7],
    [100, 127],
  ];
  for (const [rtt, expected] of cases) assert.equal(retryMs(rtt), expected, `rtt ${rtt}`);
});

Deno.test("dueOptions() waits for parity only within 2 s of the last parity", () => {
  const cases: Array<[number, boolean]> = [
    [-Infinity, false],
    [0, true],
    [-1999, true],
    [-2000, false],
  ];
  for (const [parityAt, awaitParity] of cases) {
    assert.deepEqual(dueOptions(0, { rttMs: 4, parityAt }), {
      reorderMs: RECOVERY.reorderMs,
      retryMs: 7,
      tailMs: RECOVERY.tailMs,
      awaitParity,
    }, `parity at ${parityAt}`);
  }
});

Deno.test("encodeNacks() splits ranges into NACKs of at most MAX_NACK_RANGES, in order", () => {
  const cookie = new Uint8Array(16).fill(7);
  const range = (i: number): NackRange => ({ frame: 9, index: 2 * i, count: 1 });
  const cases: Array<[number, number[]]> = [
    [0, []],
    [1, [1]],
    [MAX_NACK_RANGES, [MAX_NACK_RANGES]],
    [MAX_NACK_RANGES + 1, [MAX_NACK_RANGES, 1]],
    [2 * MAX_NACK_RANGES + 5, [MAX_NACK_RANGES, MAX_NACK_RANGES, 5]],
  ];
  for (const [count, sizes] of cases) {
    const ranges = Array.from({ length: count }, (_, i) => range(i));
    const nacks = encodeNacks(ranges, { session: 3, receiver: 4, cookie });
    const decoded = nacks.map((nack) => {
      const result = decodePacket(nack);
      if (!result.ok || result.packet.type !== PacketType.NACK) throw new Error("not a NACK");
      return result.packet;
    });
    assert.deepEqual(decoded.map((nack) => nack.ranges.length), sizes, `${count} ranges`);
    assert.deepEqual(decoded.flatMap((nack) => nack.ranges), ranges);
    for (const nack of decoded) {
      assert.equal(nack.session, 3);
      assert.equal(nack.receiver, 4);
      assert.deepEqual(nack.cookie, cookie);
    }
  }
});
