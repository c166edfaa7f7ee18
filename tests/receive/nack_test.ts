import assert from "node:assert/strict";
import { fragmentFrame, MIN_MTU } from "../../lib/wire/fragment_frame.ts";
import { type Data, decodePacket, type NackRange, PacketType } from "../../lib/wire/mod.ts";
import { Reassembler } from "../../lib/receive/reassembler.ts";

const DUE = { reorderMs: 2, retryMs: 10, tailMs: 3, awaitParity: false };
/** A clock reading well past 0, where most tests start. */
const T = 1000;
/** How long a first frame must be silent to have lost its tail: 3 x the 20 ms initial gap. */
const FIRST_TAIL_MS = 60;

/** The `count` fragments of frame `frame`, 256 bytes each. */
function fragments(frame: number, count: number): Data[] {
  const data = Uint8Array.from({ length: count * 256 }, (_, i) => (i + frame * 31) & 0xff);
  return fragmentFrame(data, 5000 + frame, { session: 1, frame, mtu: MIN_MTU }).map((datagram) => {
    const decoded = decodePacket(datagram.slice());
    if (!decoded.ok || decoded.packet.type !== PacketType.DATA) throw new Error("bad datagram");
    return decoded.packet;
  });
}

/** Pushes fragments `indices` of `packets` at `now`; returns the frames emitted. */
function push(r: Reassembler, packets: Data[], indices: number[], now: number): number[] {
  const emitted: number[] = [];
  for (const index of indices) {
    const frame = r.push(packets[index], now);
    if (frame !== undefined) emitted.push(frame.frame);
  }
  return emitted;
}

/** Calls due() every `stepMs` from `from` to `to` and returns each non-empty answer with its time. */
function poll(
  r: Reassembler,
  from: number,
  to: number,
  stepMs = 1,
): Array<[number, NackRange[]]> {
  const asked: Array<[number, NackRange[]]> = [];
  for (let now = from; now <= to; now += stepMs) {
    const ranges = r.due(now, DUE);
    if (ranges.length > 0) asked.push([now, ranges]);
  }
  return asked;
}

Deno.test("Reassembler.due() asks for a gap once it has waited reorderMs", () => {
  const r = new Reassembler();
  const zero = fragments(0, 4);
  push(r, zero, [0, 1, 3], T);
  assert.deepEqual(r.due(T + 1, DUE), [], "a reordered fragment may still come");
  assert.deepEqual(r.due(T + 2, DUE), [{ frame: 0, index: 2, count: 1 }]);
  assert.equal(r.stats.packetsMissing, 1);
});

Deno.test("Reassembler.due() asks for a gap on a clock that starts at 0", () => {
  const r = new Reassembler();
  const zero = fragments(0, 4);
  push(r, zero, [0, 1, 3], 0);
  assert.deepEqual(r.due(1, DUE), []);
  assert.deepEqual(r.due(2, DUE), [{ frame: 0, index: 2, count: 1 }]);
  assert.equal(r.stats.packetsMissing, 1);
});

Deno.test("Reassembler.due() merges consecutive missing fragments into one range", () => {
  const r = new Reassembler();
  push(r, fragments(0, 8), [0, 4, 7], T);
  assert.deepEqual(r.due(T + 2, DUE), [
    { frame: 0, index: 1, count: 3 },
    { frame: 0, index: 5, count: 2 },
  ]);
  assert.equal(r.stats.packetsMissing, 5);
});

Deno.test("Reassembler.due() lists the ranges of older frames first", () => {
  const r = new Reassembler();
  push(r, fragments(2, 3), [0, 2], T);
  push(r, fragments(1, 3), [0, 2], T);
  assert.deepEqual(r.due(T + 2, DUE), [
    { frame: 1, index: 1, count: 1 },
    { frame: 2, index: 1, count: 1 },
  ]);
});

Deno.test("Reassembler.due() never asks for a reordered fragment that comes within reorderMs", () => {
  const r = new Reassembler();
  const zero = fragments(0, 4);
  push(r, zero, [0, 1, 3], T);
  assert.deepEqual(r.due(T + 1, DUE), []);
  assert.deepEqual(push(r, zero, [2], T + 1.5), [0]);
  assert.deepEqual(poll(r, T + 2, T + 30), []);
  assert.equal(r.stats.packetsMissing, 0);
  assert.equal(r.stats.packetsRecovered, 0);
});

Deno.test("Reassembler.due() asks again only after retryMs", () => {
  const r = new Reassembler();
  push(r, fragments(0, 4), [0, 1, 3], T);
  const gap = [{ frame: 0, index: 2, count: 1 }];
  assert.deepEqual(poll(r, T + 1, T + 30), [[T + 2, gap], [T + 12, gap], [T + 22, gap]]);
  assert.equal(r.stats.packetsMissing, 1, "a fragment asked for twice is missing once");
});

Deno.test("Reassembler counts a fragment that comes after it was asked for as recovered", () => {
  const r = new Reassembler();
  const zero = fragments(0, 4);
  push(r, zero, [0, 1, 3], T);
  assert.equal(r.due(T + 2, DUE).length, 1);
  assert.equal(r.push({ ...zero[2], resent: true }, T + 5)?.frame, 0);
  assert.equal(r.stats.packetsRecovered, 1);
  assert.equal(r.stats.packetsMissing, 1);
  assert.equal(r.stats.packetsLost, 0);
});

Deno.test("Reassembler.due() asks for a first frame's lost tail only after 60 ms of silence", () => {
  const r = new Reassembler();
  push(r, fragments(0, 6), [0, 1, 2], T);
  const asked = poll(r, T + 1, T + 100);
  assert.ok(asked.length > 0, "the tail is asked for in the end");
  const [first, ranges] = asked[0];
  assert.ok(
    first >= T + FIRST_TAIL_MS && first <= T + FIRST_TAIL_MS + DUE.reorderMs,
    `first asked after ${first - T} ms of silence`,
  );
  assert.deepEqual(ranges, [{ frame: 0, index: 3, count: 3 }]);
});

Deno.test("Reassembler.due() asks for a later frame's lost tail after tailMs of silence", () => {
  const r = new Reassembler();
  let now = T;
  // 20 whole frames, a datagram every 0.1 ms: the reassembler learns that gaps are short.
  for (let frame = 0; frame < 20; frame++) {
    for (const packet of fragments(frame, 40)) {
      r.push(packet, now);
      now += 0.1;
    }
  }
  assert.equal(r.stats.framesCompleted, 20);
  const last = fragments(20, 40);
  for (let index = 0; index < 30; index++) {
    r.push(last[index], now);
    now += 0.1;
  }
  const silentFrom = now - 0.1;
  const asked = poll(r, now, now + 100, 0.5);
  assert.ok(asked.length > 0, "the tail is asked for");
  const [first, ranges] = asked[0];
  const silence = first - silentFrom;
  assert.ok(
    silence >= DUE.tailMs && silence <= DUE.tailMs + DUE.reorderMs + 0.5,
    `first asked after ${silence} ms of silence`,
  );
  assert.deepEqual(ranges, [{ frame: 20, index: 30, count: 10 }]);
});

Deno.test("Reassembler.due() gives up a frame whose fragment has been missing for budgetMs", () => {
  const r = new Reassembler({ budgetMs: 50 });
  const zero = fragments(0, 200);
  const asked: number[] = [];
  // A datagram every ms, all but fragment 1: found missing at T + 2, when fragment 2 comes.
  for (let index = 0; index < 200; index++) {
    const now = T + index;
    if (index !== 1) push(r, zero, [index], now);
    if (r.due(now, DUE).length > 0) asked.push(now);
    if (now === T + 52) assert.equal(r.stats.pendingFrames, 1, "missing for 50 ms: not yet");
  }
  assert.equal(r.stats.framesDropped.late, 1);
  assert.equal(r.stats.pendingFrames, 0);
  assert.equal(r.stats.framesCompleted, 0);
  assert.deepEqual(asked, [T + 4, T + 14, T + 24, T + 34, T + 44], "then no longer asked for");
  assert.ok(r.stats.packetsDropped.late > 100, "the frame's later datagrams come too late");
});

Deno.test("Reassembler.due() gives up a frame silent for budgetMs and no longer asks for it", () => {
  const r = new Reassembler({ budgetMs: 50 });
  push(r, fragments(0, 4), [0, 1, 3], T);
  const asked = poll(r, T + 1, T + 100).map(([now]) => now);
  assert.deepEqual(asked, [T + 2, T + 12, T + 22, T + 32, T + 42]);
  assert.equal(r.stats.framesDropped.late, 1);
  assert.equal(r.stats.pendingFrames, 0);
});

Deno.test("Reassembler.due() does not give up a large frame while its datagrams keep coming", () => {
  const r = new Reassembler({ budgetMs: 50 });
  const big = fragments(0, 200);
  const emitted: number[] = [];
  for (let index = 0; index < 200; index++) {
    const now = T + index;
    emitted.push(...push(r, big, [index], now));
    assert.deepEqual(r.due(now, DUE), [], `at ${index} ms`);
  }
  assert.deepEqual(emitted, [0], "emitted after 199 ms, four times the budget");
  assert.equal(r.stats.framesDropped.late, 0);
});

Deno.test("Reassembler emits a newer whole frame while an older one awaits recovery", () => {
  const r = new Reassembler();
  const zero = fragments(0, 4);
  push(r, zero, [0, 1, 3], T);
  assert.deepEqual(r.due(T + 2, DUE), [{ frame: 0, index: 2, count: 1 }]);
  assert.deepEqual(push(r, fragments(1, 4), [0, 1, 2, 3], T + 3), [1]);
  assert.equal(r.stats.framesDropped.superseded, 1);
  assert.deepEqual(poll(r, T + 4, T + 30), [], "frame 0 is no longer asked for");
  assert.deepEqual(push(r, zero, [2], T + 31), [], "nor shown when its fragment comes");
});

Deno.test("Reassembler.reset() forgets the frames awaiting recovery", () => {
  const r = new Reassembler();
  push(r, fragments(0, 4), [0, 1, 3], T);
  push(r, fragments(1, 4), [0, 2], T);
  r.reset();
  assert.equal(r.stats.pendingFrames, 0);
  assert.equal(r.stats.pendingBytes, 0);
  assert.deepEqual(poll(r, T + 1, T + 100), []);
});

Deno.test("Reassembler learns to wait longer for gaps after asking for a reordered fragment", () => {
  const r = new Reassembler();
  const zero = fragments(0, 4);
  push(r, zero, [0, 1, 3], T);
  assert.deepEqual(r.due(T + 2, DUE), [{ frame: 0, index: 2, count: 1 }]);
  // Fragment 2 comes 4 ms after it went missing, without the resent mark: it
  // was the first send, late, and the NACK was spurious.
  push(r, zero, [2], T + 4);
  assert.equal(r.stats.packetsMissing, 0, "not counted as lost");
  assert.equal(r.stats.packetsRecovered, 0, "not counted as recovered");
  assert.ok(r.reorderMs >= 4, `learnt a reorder wait of ${r.reorderMs} ms`);
  // The next frame's gap is not asked for within the learnt wait.
  const one = fragments(1, 4);
  push(r, one, [0, 1, 3], T + 40);
  assert.deepEqual(r.due(T + 42, DUE), [], "still within the learnt wait");
  assert.deepEqual(r.due(T + 46, DUE), [{ frame: 1, index: 2, count: 1 }]);
});

Deno.test("Reassembler counts a resent fragment that was asked for as recovered", () => {
  const r = new Reassembler();
  const zero = fragments(0, 4);
  push(r, zero, [0, 1, 3], T);
  r.due(T + 2, DUE);
  assert.ok(r.push({ ...zero[2], resent: true }, T + 3) !== undefined, "the frame completes");
  assert.equal(r.stats.packetsMissing, 1);
  assert.equal(r.stats.packetsRecovered, 1);
  assert.equal(r.reorderMs, 0, "a resend teaches nothing about reordering");
});
