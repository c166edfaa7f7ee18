import assert from "node:assert/strict";
import { fragmentFrame, MIN_MTU } from "../../lib/wire/fragment_frame.ts";
import { MAX_FRAME_BYTES } from "../../lib/hub/frame.ts";
import {
  type Data,
  DATA_HEADER_SIZE,
  decodePacket,
  encodeDataHeader,
  PacketType,
} from "../../lib/wire/mod.ts";
import { Reassembler } from "../../lib/receive/reassembler.ts";

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
  // Each frame all but whole: about 3,000 bytes held, so no more than three fit.
  for (let frame = 0; frame < 100; frame++) {
    for (const packet of fragments(frame, 3000).slice(0, -1)) {
      r.push(packet, 0);
      assert.ok(r.stats.pendingBytes <= 10_000, `${r.stats.pendingBytes} bytes held`);
    }
  }
  assert.ok(r.stats.pendingFrames <= 3, `${r.stats.pendingFrames} frames in progress`);
  assert.ok(r.stats.framesDropped.evicted > 90);
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
  // One-byte fragments: bookkeeping for 60,000 of them would not fit.
  const tiny: Data = { ...first, frameLength: 60_000, fragmentSize: 1, payload: new Uint8Array(1) };
  assert.equal(r.push(tiny, 0), undefined);
  assert.equal(r.stats.packetsDropped.oversize, 1);
  assert.equal(r.stats.pendingBytes, 0);
  const sized: Data = {
    ...first,
    frameLength: 60_000,
    fragmentSize: 1000,
    index: 59,
    payload: new Uint8Array(1000),
  };
  r.push(sized, 0);
  // The fragment, a byte for each of the 60 saying whether it came, and for
  // the 59 before it, found missing, when they were and when asked for.
  const { pendingBytes } = r.stats;
  assert.ok(pendingBytes >= 1000 + 60 + 60 * 16, `${pendingBytes} bytes counted`);
  assert.ok(pendingBytes < 4000, `${pendingBytes} bytes counted for 1,000 received`);
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

/**
 * The last fragment of a 16 MB frame cut in 65,535-byte fragments: 257 of
 * them, the last 256 bytes long, so 284 bytes on the wire.
 */
function hugeFrameTail(frame: number): Data {
  const fragmentSize = 0xffff;
  const count = Math.ceil(MAX_FRAME_BYTES / fragmentSize);
  const last = MAX_FRAME_BYTES - (count - 1) * fragmentSize;
  const datagram = new Uint8Array(DATA_HEADER_SIZE + last).fill(0xa5);
  encodeDataHeader(datagram, {
    session: 1,
    frame,
    frameLength: MAX_FRAME_BYTES,
    index: count - 1,
    fragmentSize,
    captureTime: 1000 + frame,
  });
  const decoded = decodePacket(datagram);
  if (!decoded.ok || decoded.packet.type !== PacketType.DATA) throw new Error("bad datagram");
  return decoded.packet;
}

Deno.test("Reassembler holds the bytes that came, not the 16 MB a 284-byte fragment claims", () => {
  const packets = Array.from({ length: 8 }, (_, frame) => hugeFrameTail(frame));
  assert.equal(DATA_HEADER_SIZE + packets[0].payload.length, 284);
  const r = new Reassembler();
  const before = Deno.memoryUsage().external;
  for (const packet of packets) r.push(packet, 0);
  const grown = Deno.memoryUsage().external - before;
  const { pendingFrames, pendingBytes } = r.stats;
  // 256 bytes came for each frame, and its bookkeeping for 257 fragments.
  assert.ok(pendingBytes < 8 * 8192, `${pendingBytes} bytes held for 8 fragments of 256 bytes`);
  assert.ok(
    grown <= pendingBytes + 16384,
    `array buffers grew by ${grown} bytes, ${pendingBytes} of them counted`,
  );
  assert.equal(pendingFrames, 8, "all eight frames are in progress");
});

Deno.test("Reassembler starts frames that never complete at a bounded rate, and counts the rest", () => {
  const r = new Reassembler();
  // 400 a second for 5 s, each a new frame that never completes.
  const datagrams = 2000;
  for (let i = 0; i < datagrams; i++) r.push(hugeFrameTail(i), i * 2.5);
  const s = r.stats;
  const d = s.framesDropped;
  const started = s.pendingFrames + d.evicted + d.late + d.superseded;
  // Each claims 257 fragments, two starts: 256 starts at once, then 64 a second.
  const budget = (256 + 64 * 5) / 2;
  assert.ok(started <= budget + 1, `${started} of ${datagrams} frames started in 5 s`);
  assert.ok(started >= budget - 1, `only ${started} frames started in 5 s`);
  assert.equal(s.packetsDropped.throttled, datagrams - started, "every datagram refused counted");
});

Deno.test("Reassembler's budget of new frames leaves a fast stream with lost frames alone", () => {
  const r = new Reassembler();
  const length = 20_000; // 79 fragments
  const data = Uint8Array.from({ length }, (_, i) => (i * 13) & 0xff);
  let shown = 0;
  // 240 frames a second for 5 s, twice what the budget allows (256 at once,
  // 64 a second) but for the starts that frames which complete give back;
  // every tenth loses its last fragment for good.
  for (let frame = 0; frame < 1200; frame++) {
    const packets = fragmentFrame(data, 1000 + frame, { session: 1, frame, mtu: MTU });
    const kept = frame % 10 === 9 ? packets.slice(0, -1) : packets;
    for (const datagram of kept) {
      const decoded = decodePacket(datagram);
      if (!decoded.ok || decoded.packet.type !== PacketType.DATA) throw new Error("bad datagram");
      const whole = r.push(decoded.packet, (frame * 1000) / 240);
      if (whole === undefined) continue;
      assert.deepEqual(whole.data, data);
      shown++;
    }
  }
  assert.equal(shown, 1080);
  assert.equal(r.stats.packetsDropped.throttled, 0);
});
