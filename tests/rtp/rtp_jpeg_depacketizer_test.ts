import assert from "node:assert/strict";
import {
  buildJpegHeader,
  decodeRtpPacket,
  quantTablesForQ,
  RtpJpegDepacketizer,
  type RtpPacket,
} from "../../lib/rtp/mod.ts";
import { jpegDimensions } from "../../lib/image/mod.ts";

/** An RTP/JPEG payload: RFC 2435's main header, then the optional ones, then `data`. */
function payload(
  fields: { offset: number; type?: number; q?: number; width?: number; height?: number },
  data: Uint8Array,
  extra: number[] = [],
): Uint8Array {
  const { offset, type = 1, q = 50, width = 40, height = 30 } = fields;
  return Uint8Array.from([
    0,
    offset >> 16,
    (offset >> 8) & 0xff,
    offset & 0xff,
    type,
    q,
    width,
    height,
    ...extra,
    ...data,
  ]);
}

function packet(body: Uint8Array, timestamp: number, marker: boolean, ssrc = 7): RtpPacket {
  return { marker, payloadType: 26, sequence: 0, timestamp, ssrc, payload: body };
}

const SCAN = Uint8Array.from({ length: 300 }, (_, i) => i % 250);

/** A frame of SCAN in three packets, the first with `first`'s fields and `extra` headers. */
function frame(
  timestamp: number,
  first: Parameters<typeof payload>[0] = { offset: 0 },
  extra: number[] = [],
) {
  return [
    packet(payload(first, SCAN.subarray(0, 100), extra), timestamp, false),
    packet(payload({ ...first, offset: 100 }, SCAN.subarray(100, 200)), timestamp, false),
    packet(payload({ ...first, offset: 200 }, SCAN.subarray(200)), timestamp, true),
  ];
}

Deno.test("decodeRtpPacket() reads the header, skipping CSRCs and an extension, and takes padding off", () => {
  const bytes = Uint8Array.from([
    0xb1, // version 2, padding, extension, 1 CSRC
    0x80 | 26,
    0x12,
    0x34,
    0,
    0,
    0x01,
    0x00,
    0xde,
    0xad,
    0xbe,
    0xef,
    1,
    2,
    3,
    4, // CSRC
    0xbe,
    0xde,
    0,
    1, // extension of one word
    9,
    9,
    9,
    9,
    0xaa,
    0xbb,
    0,
    2, // payload aa bb, then 2 bytes of padding
  ]);
  const packet = decodeRtpPacket(bytes)!;
  assert.deepEqual(
    { ...packet, payload: [...packet.payload] },
    {
      marker: true,
      payloadType: 26,
      sequence: 0x1234,
      timestamp: 256,
      ssrc: 0xdeadbeef,
      payload: [0xaa, 0xbb],
    },
  );
  assert.equal(decodeRtpPacket(bytes.subarray(0, 11)), undefined, "too short");
  assert.equal(decodeRtpPacket(Uint8Array.from([0x40, ...bytes.subarray(1)])), undefined, "v1");
  const padded = Uint8Array.from([0xa0, 26, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 40]);
  assert.equal(decodeRtpPacket(padded), undefined, "more padding than packet");
});

Deno.test("quantTablesForQ() scales T.81's tables as RFC 2435 Appendix A does", () => {
  const q50 = quantTablesForQ(50);
  assert.deepEqual([...q50.subarray(0, 4)], [16, 11, 12, 14]);
  assert.deepEqual([...q50.subarray(64, 68)], [17, 18, 18, 24]);
  assert.ok(quantTablesForQ(99).every((v) => v >= 1 && v <= 2), "Q 99: all but 1");
  assert.ok(quantTablesForQ(1).every((v) => v <= 255), "Q 1: capped at 255");
  assert.equal(quantTablesForQ(1)[0], 255);
  assert.throws(() => quantTablesForQ(0), RangeError);
  assert.throws(() => quantTablesForQ(100), RangeError);
});

Deno.test("buildJpegHeader() writes a header jpegDimensions reads, with the restart interval when there is one", () => {
  const header = buildJpegHeader({
    type: 1,
    width: 3840,
    height: 2160,
    quantTables: quantTablesForQ(80),
    restartInterval: 20,
  });
  assert.deepEqual(jpegDimensions(Uint8Array.from([...header, 0, 0xff, 0xd9])), {
    width: 3840,
    height: 2160,
  });
  const dri = header.findIndex((b, i) => b === 0xff && header[i + 1] === 0xdd);
  assert.deepEqual([...header.subarray(dri, dri + 6)], [0xff, 0xdd, 0, 4, 0, 20]);
  assert.throws(
    () =>
      buildJpegHeader({
        type: 0,
        width: 8,
        height: 8,
        quantTables: new Uint8Array(65),
        restartInterval: 0,
      }),
    RangeError,
  );
});

Deno.test("RtpJpegDepacketizer keeps in-band tables by their Q, and drops what it cannot rebuild", () => {
  const tables = Array.from({ length: 128 }, (_, i) => (i % 60) + 2);
  const inBand = [0, 0, 0, 128];
  const depacketizer = new RtpJpegDepacketizer();
  const push = (packets: RtpPacket[]) => packets.map((p) => depacketizer.push(p)).at(-1);
  const first = push(frame(1000, { offset: 0, q: 200 }, [...inBand, ...tables]))!;
  assert.ok(first !== undefined);
  const dqt = first.data.findIndex((b, i) => b === 0xff && first.data[i + 1] === 0xdb);
  assert.deepEqual([...first.data.subarray(dqt + 5, dqt + 9)], tables.slice(0, 4));
  // The same Q with no tables: the ones sent before.
  const again = push(frame(2000, { offset: 0, q: 200 }, [0, 0, 0, 0]))!;
  assert.deepEqual(again.data.subarray(0, 400), first.data.subarray(0, 400));
  // Q 255 with no tables, a Q never sent, a reserved Q, type 2, 16-bit tables: nothing.
  for (
    const [fields, extra] of [
      [{ offset: 0, q: 255 }, [0, 0, 0, 0]],
      [{ offset: 0, q: 201 }, [0, 0, 0, 0]],
      [{ offset: 0, q: 0 }, []],
      [{ offset: 0, q: 120 }, []],
      [{ offset: 0, type: 2 }, []],
      [{ offset: 0, q: 128 }, [0, 1, 0, 128, ...tables]],
    ] as const
  ) {
    const timestamp = 3000 + depacketizer.counters.packetsRejected;
    assert.equal(push(frame(timestamp, fields, [...extra])), undefined, JSON.stringify(fields));
  }
  // Each first packet; all three of type 2's, whose type every packet gives.
  assert.equal(depacketizer.counters.packetsRejected, 8);
  assert.equal(depacketizer.counters.frames, 2);
});

Deno.test("RtpJpegDepacketizer takes a size over 2040 pixels from its options, and drops frames without one", () => {
  const big = { offset: 0, width: 0, height: 0 };
  assert.equal(new RtpJpegDepacketizer().push(frame(1, big)[0]), undefined);
  const sized = new RtpJpegDepacketizer({ size: { width: 3840, height: 2160 } });
  const out = frame(1, big).map((p) => sized.push(p)).at(-1)!;
  assert.deepEqual(jpegDimensions(out.data), { width: 3840, height: 2160 });
});

Deno.test("RtpJpegDepacketizer drops the oldest frame past its window, a frame larger than allowed, and a newer one completing first drops the older", () => {
  const depacketizer = new RtpJpegDepacketizer({ maxPending: 2, maxFrameBytes: 250 });
  // Too large: its last packet ends past 250 bytes.
  const [a0, a1, a2] = frame(10);
  assert.equal(depacketizer.push(a0), undefined);
  assert.equal(depacketizer.push(a1), undefined);
  assert.equal(depacketizer.push(a2), undefined);
  assert.equal(depacketizer.counters.packetsRejected, 1);
  const roomy = new RtpJpegDepacketizer({ maxPending: 2 });
  const [b0] = frame(20);
  const [c0, c1, c2] = frame(30);
  roomy.push(b0);
  // Frame 30 completes while 20 waits for its other packets: 20 is dropped.
  assert.equal(roomy.push(c0), undefined);
  assert.equal(roomy.push(c1), undefined);
  assert.ok(roomy.push(c2) !== undefined);
  assert.equal(roomy.counters.framesDropped, 1);
  // Three frames begun at once in a window of two: the first is pushed out.
  for (const timestamp of [40, 50, 60]) roomy.push(frame(timestamp)[0]);
  assert.equal(roomy.counters.framesDropped, 2);
});

Deno.test("RtpJpegDepacketizer never throws on random payloads, and what it gives out ends in EOI", () => {
  const depacketizer = new RtpJpegDepacketizer({ maxFrameBytes: 4096 });
  for (let i = 0; i < 20_000; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(Math.floor(Math.random() * 64)));
    // Small offsets and types 0 and 1 often enough to build frames.
    if (bytes.length > 8 && i % 2 === 0) {
      bytes[1] = 0;
      bytes[2] = 0;
      bytes[3] &= 0x1f;
      bytes[4] &= 0x41;
      bytes[5] = 1 + (bytes[5] % 99);
    }
    const out = depacketizer.push(packet(bytes, i >> 2, i % 4 === 3, 1 + (i % 3)));
    if (out !== undefined) assert.deepEqual([...out.data.subarray(-2)], [0xff, 0xd9]);
  }
});

Deno.test("RtpJpegDepacketizer holds at most maxPackets fragments a frame: a flood of tiny ones is dropped", () => {
  const depacketizer = new RtpJpegDepacketizer({ maxPackets: 100 });
  const tiny = (offset: number) => packet(payload({ offset }, Uint8Array.of(1)), 77, false);
  for (let offset = 0; offset < 1000; offset++) depacketizer.push(tiny(offset));
  // Dropped at the 101st, then begun again and dropped again, and so on: never more than 100 held.
  assert.equal(depacketizer.counters.framesDropped, 9);
  assert.equal(depacketizer.counters.frames, 0);
  // A real frame after it comes through.
  assert.ok(frame(78).map((p) => depacketizer.push(p)).at(-1) !== undefined);
});

Deno.test("RtpJpegDepacketizer keeps to the source it gives frames of, until it has been silent 2 s", () => {
  const depacketizer = new RtpJpegDepacketizer();
  assert.ok(frame(10).map((p) => depacketizer.push(p, 1000)).at(-1) !== undefined);
  // Another SSRC, made up or a second sender: not used, and the first source's next frame comes through.
  const other = (timestamp: number) => frame(timestamp).map((p) => ({ ...p, ssrc: 99 }));
  for (let t = 0; t < 20; t++) other(t * 7).forEach((p) => depacketizer.push(p, 1500));
  assert.equal(depacketizer.counters.packetsOtherSource, 60);
  assert.ok(frame(20).map((p) => depacketizer.push(p, 1600)).at(-1) !== undefined);
  // Silent for 2 s: a restarted sender's new SSRC is taken, its timestamps not late.
  assert.ok(other(5).map((p) => depacketizer.push(p, 3700)).at(-1) !== undefined);
  assert.equal(depacketizer.counters.frames, 3);
});

Deno.test("RtpJpegDepacketizer drops a frame whose fragments overlap or outgrow it, at once and for good", () => {
  const depacketizer = new RtpJpegDepacketizer({ maxFrameBytes: 1000 });
  // More bytes than the frame's last packet says it ends at: overlap.
  depacketizer.push(packet(payload({ offset: 0 }, SCAN.subarray(0, 100)), 1, false));
  depacketizer.push(packet(payload({ offset: 50 }, SCAN.subarray(0, 10)), 1, true));
  assert.equal(depacketizer.counters.framesDropped, 1);
  // Overlapping fragments that hold more than maxFrameBytes between them.
  for (let offset = 0; offset < 10; offset++) {
    depacketizer.push(packet(payload({ offset }, SCAN.subarray(0, 200)), 2, false));
  }
  assert.equal(depacketizer.counters.framesDropped, 2);
  // Neither held anything up: the next frame comes through.
  assert.ok(frame(3).map((p) => depacketizer.push(p)).at(-1) !== undefined);
});

Deno.test("RtpJpegDepacketizer takes a sender restarted with the same SSRC once only late packets have come for 2 s", () => {
  const depacketizer = new RtpJpegDepacketizer();
  assert.ok(frame(1_000_000).map((p) => depacketizer.push(p, 1000)).at(-1) !== undefined);
  // Another timestamp offset, behind the last frame: late, for now.
  assert.equal(frame(5).map((p) => depacketizer.push(p, 1500)).at(-1), undefined);
  assert.equal(depacketizer.counters.packetsLate, 3);
  assert.ok(frame(6).map((p) => depacketizer.push(p, 3100)).at(-1) !== undefined, "taken again");
});

Deno.test("RtpJpegDepacketizer keeps a newer frame begun before an older one completes", () => {
  const depacketizer = new RtpJpegDepacketizer();
  const [b0, b1, b2] = frame(20);
  depacketizer.push(b0);
  const older = frame(10).map((p) => depacketizer.push(p)).at(-1);
  assert.equal(older?.timestamp, 10);
  depacketizer.push(b1);
  assert.equal(depacketizer.push(b2)?.timestamp, 20, "the newer one, whole");
  assert.equal(depacketizer.counters.framesDropped, 0);
});
