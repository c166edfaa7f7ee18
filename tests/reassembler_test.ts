import assert from "node:assert/strict";
import { fragmentFrame, MIN_MTU } from "../lib/fragment_frame.ts";
import { type Data, decodePacket, PacketType } from "../lib/packet.ts";
import { Reassembler } from "../lib/reassembler.ts";

const MTU = MIN_MTU;

/** The fragments of frame `frame`: `length` bytes whose content encodes the frame number. */
function fragments(frame: number, length = 2000, session = 1): Data[] {
  const data = Uint8Array.from({ length }, (_, i) => (i + frame * 31) & 0xff);
  return fragmentFrame(data, 1000 + frame, { session, frame, mtu: MTU }).map((datagram) => {
    const decoded = decodePacket(datagram.slice());
    if (!decoded.ok || decoded.packet.type !== PacketType.DATA) throw new Error("bad datagram");
    return decoded.packet;
  });
}

function expected(frame: number, length = 2000): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i + frame * 31) & 0xff);
}

/** Feeds packets in order and returns the frame numbers emitted. */
function feed(reassembler: Reassembler, packets: Data[], now = 0): number[] {
  const emitted: number[] = [];
  for (const packet of packets) {
    const frame = reassembler.push(packet, now);
    if (frame !== undefined) {
      assert.deepEqual(frame.data, expected(frame.frame, frame.data.length));
      emitted.push(frame.frame);
    }
  }
  return emitted;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

Deno.test("Reassembler emits frames whose fragments arrive in order", () => {
  const r = new Reassembler();
  assert.deepEqual(feed(r, [...fragments(0), ...fragments(1), ...fragments(2)]), [0, 1, 2]);
  assert.equal(r.stats.framesCompleted, 3);
  assert.equal(r.stats.packetsLost, 0);
});

Deno.test("Reassembler puts together fragments that arrive in any order", () => {
  for (let seed = 1; seed < 20; seed++) {
    const r = new Reassembler();
    assert.deepEqual(feed(r, shuffled(fragments(0), seed)), [0]);
  }
});

Deno.test("Reassembler ignores duplicated fragments and counts them", () => {
  const r = new Reassembler();
  const packets = fragments(0);
  const withDuplicates = packets.flatMap((p, i) => (i % 2 === 0 ? [p, p] : [p]));
  assert.deepEqual(feed(r, withDuplicates), [0]);
  assert.equal(r.stats.packetsDropped.duplicate, Math.ceil(packets.length / 2));
  assert.deepEqual(feed(r, packets), [], "a whole frame sent twice is shown once");
  assert.equal(r.stats.packetsDropped.late, packets.length);
});

Deno.test("Reassembler never emits a frame with a missing fragment", () => {
  const r = new Reassembler();
  const first = fragments(0);
  const emitted = feed(r, [...first.slice(0, 3), ...first.slice(4), ...fragments(1)]);
  assert.deepEqual(emitted, [1]);
  assert.equal(r.stats.framesDropped.superseded, 1);
  assert.equal(r.stats.packetsLost, 1);
});

Deno.test("Reassembler never goes back in time", () => {
  const r = new Reassembler();
  const zero = fragments(0);
  // Frame 1 completes while frame 0 still misses its last fragment.
  assert.deepEqual(feed(r, [...zero.slice(0, -1), ...fragments(1)]), [1]);
  assert.deepEqual(feed(r, zero.slice(-1)), [], "frame 0 is older than frame 1");
  assert.deepEqual(feed(r, fragments(2)), [2]);
});

Deno.test("Reassembler counts frames that never arrived as lost", () => {
  const r = new Reassembler();
  feed(r, [...fragments(0), ...fragments(3)]);
  assert.equal(r.stats.framesDropped.lost, 2);
  assert.equal(r.stats.packetsLost, 2 * fragments(0).length);
});

Deno.test("Reassembler drops fragments that disagree with their frame", () => {
  const r = new Reassembler();
  const [a, b] = fragments(0);
  const truncated: Data = { ...b, frameLength: 999 };
  const otherTime: Data = { ...b, captureTime: 1 };
  assert.equal(r.push(a, 0), undefined);
  assert.equal(r.push(truncated, 0), undefined);
  assert.equal(r.push(otherTime, 0), undefined);
  assert.equal(r.stats.packetsDropped.inconsistent, 2);
});

Deno.test("Reassembler bounds the memory held by frames in progress", () => {
  const r = new Reassembler({ maxFrames: 4, maxPendingBytes: 10_000 });
  for (let frame = 0; frame < 100; frame++) r.push(fragments(frame, 3000)[0], 0);
  assert.ok(r.stats.pendingFrames <= 3, `${r.stats.pendingFrames} frames in progress`);
  assert.ok(r.stats.pendingBytes <= 10_000);
  const huge: Data = { ...fragments(200)[0], frameLength: 100 * 1024 * 1024 };
  assert.equal(r.push(huge, 0), undefined);
  assert.equal(r.stats.packetsDropped.oversize, 1);
});

Deno.test("Reassembler gives up on a frame still incomplete at its deadline", () => {
  const r = new Reassembler({ budgetMs: 100 });
  const zero = fragments(0);
  feed(r, zero.slice(0, -1), 0);
  assert.deepEqual(feed(r, zero.slice(-1), 101), []);
  assert.equal(r.stats.framesDropped.late, 1);
  assert.equal(r.stats.packetsDropped.late, 1);
});

Deno.test("Reassembler starts again after reset() for a new session", () => {
  const r = new Reassembler();
  feed(r, [...fragments(50), ...fragments(51).slice(0, 2)]);
  r.reset();
  assert.equal(r.stats.pendingFrames, 0);
  assert.deepEqual(feed(r, fragments(0, 2000, 2)), [0], "frame 0 of the new session is shown");
});

Deno.test("Reassembler survives random fragments without throwing or growing", () => {
  const r = new Reassembler({ maxPendingBytes: 1_000_000 });
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < 20_000; i++) {
    const fragmentSize = 1 + Math.floor(random() * 2000);
    const frameLength = 1 + Math.floor(random() * 4_000_000);
    const count = Math.ceil(frameLength / fragmentSize);
    const index = Math.floor(random() * Math.min(count, 0xffff));
    const size = index === count - 1 ? frameLength - index * fragmentSize : fragmentSize;
    r.push({
      type: PacketType.DATA,
      resent: false,
      session: 1,
      frame: Math.floor(random() * 50),
      frameLength,
      index,
      fragmentSize,
      captureTime: Math.floor(random() * 3),
      payload: new Uint8Array(size),
    }, i);
    assert.ok(r.stats.pendingBytes <= 1_000_000);
  }
});

Deno.test("Reassembler counts its bookkeeping in the memory bound", () => {
  const r = new Reassembler({ maxPendingBytes: 100_000 });
  const first = fragments(0)[0];
  // One-byte fragments: 25 bytes of bookkeeping for every byte of frame.
  const tiny: Data = { ...first, frameLength: 60_000, fragmentSize: 1, payload: new Uint8Array(1) };
  assert.equal(r.push(tiny, 0), undefined);
  assert.equal(r.stats.packetsDropped.oversize, 1);
  assert.equal(r.stats.pendingBytes, 0);
  const sized: Data = {
    ...first,
    frameLength: 60_000,
    fragmentSize: 1000,
    payload: new Uint8Array(1000),
  };
  r.push(sized, 0);
  assert.equal(r.stats.pendingBytes, 60_000 + 60 * 25);
});

Deno.test("Reassembler keeps newer frames rather than start an older one when full", () => {
  const r = new Reassembler({ maxFrames: 4 });
  for (let frame = 11; frame <= 14; frame++) r.push(fragments(frame)[0], 0);
  assert.equal(r.push(fragments(10)[0], 0), undefined);
  assert.equal(r.stats.packetsDropped.late, 1);
  assert.equal(r.stats.pendingFrames, 4);
  assert.deepEqual(feed(r, fragments(11).slice(1)), [11], "frame 11 was kept and completes");
});

Deno.test("Reassembler, a table of deliveries", () => {
  const z = fragments(0);
  const o = fragments(1);
  const cases: Array<[string, Data[], number[], Partial<Record<string, number>>]> = [
    ["in order", [...z, ...o], [0, 1], {}],
    ["reversed", [...z].reverse(), [0], {}],
    ["interleaved frames", z.flatMap((p, i) => [p, o[i]]), [0, 1], {}],
    [
      "every fragment twice",
      z.flatMap((p) => [p, p]),
      [0],
      { duplicate: z.length - 1, late: 1 }, // the last one's twin comes after the frame is out
    ],
    ["one missing", z.slice(1), [], {}],
    ["a whole frame repeated", [...z, ...z], [0], { late: z.length }],
    ["an older frame after a newer one", [...o, ...z], [1], { late: z.length }],
    [
      "a truncated fragment",
      [{ ...z[0], payload: z[0].payload.subarray(1) }, ...z.slice(1)],
      [],
      {},
    ],
  ];
  for (const [name, packets, emitted, dropped] of cases) {
    const r = new Reassembler();
    const got: number[] = [];
    for (const packet of packets) {
      const frame = r.push(packet, 0);
      if (frame !== undefined) got.push(frame.frame);
    }
    assert.deepEqual(got, emitted, name);
    for (const [reason, count] of Object.entries(dropped)) {
      assert.equal(
        r.stats.packetsDropped[reason as keyof typeof r.stats.packetsDropped],
        count,
        `${name}: ${reason}`,
      );
    }
  }
});
