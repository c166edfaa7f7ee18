import assert from "node:assert/strict";
import { fragmentFrame, MIN_MTU } from "../../lib/wire/fragment_frame.ts";
import {
  type Data,
  DATA_HEADER_SIZE,
  decodePacket,
  MAX_PARITY_GROUPS,
  PacketType,
  type Parity,
} from "../../lib/wire/mod.ts";
import { parityDatagrams, parityGroups, xorInto } from "../../lib/wire/parity_datagrams.ts";
import { type AssembledFrame, Reassembler } from "../../lib/receive/reassembler.ts";

const FRAGMENT_SIZE = MIN_MTU - DATA_HEADER_SIZE;
/** 39 whole fragments and a short 40th of 100 bytes. */
const FRAME_LENGTH = 39 * FRAGMENT_SIZE + 100;
const CAPTURE_TIME = 1_700_000_000_000;
const DUE = { reorderMs: 2, retryMs: 10, tailMs: 3, awaitParity: true };
const T = 1000;

function frameBytes(length = FRAME_LENGTH, frame = 0): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + (i >> 8) + frame * 31) & 0xff);
}

function decodeData(datagram: Uint8Array): Data {
  const decoded = decodePacket(datagram.slice());
  if (!decoded.ok || decoded.packet.type !== PacketType.DATA) throw new Error("not DATA");
  return decoded.packet;
}

function decodeParity(datagram: Uint8Array): Parity {
  const decoded = decodePacket(datagram.slice());
  if (!decoded.ok || decoded.packet.type !== PacketType.PARITY) throw new Error("not PARITY");
  return decoded.packet;
}

/** One frame as the sender puts it on the wire with `--fec groupSize`. */
function send(data: Uint8Array, groupSize: number, frame = 0): { data: Data[]; parity: Parity[] } {
  const options = { session: 1, frame, mtu: MIN_MTU };
  return {
    data: fragmentFrame(data, CAPTURE_TIME, options).map(decodeData),
    parity: parityDatagrams(data, CAPTURE_TIME, {
      session: 1,
      frame,
      fragmentSize: FRAGMENT_SIZE,
      groupSize,
    }).map(decodeParity),
  };
}

/** Delivers the data but for `lost`, then the parity, and returns what was emitted. */
function deliver(
  r: Reassembler,
  sent: { data: Data[]; parity: Parity[] },
  lost: number[],
  parityFirst = false,
): AssembledFrame[] {
  const emitted: AssembledFrame[] = [];
  const keep = (frame: AssembledFrame | undefined) => frame !== undefined && emitted.push(frame);
  const data = () => {
    for (const packet of sent.data) if (!lost.includes(packet.index)) keep(r.push(packet, T));
  };
  const parity = () => {
    for (const packet of sent.parity) keep(r.pushParity(packet, T));
  };
  if (parityFirst) {
    parity();
    data();
  } else {
    data();
    parity();
  }
  return emitted;
}

Deno.test("parityGroups() gives one group per groupSize fragments, 1 to 255", () => {
  const cases: Array<[number, number, number]> = [
    [40, 10, 4],
    [41, 10, 5],
    [40, 2, 20],
    [1, 10, 1],
    [2, 64, 1],
    [100_000, 2, MAX_PARITY_GROUPS],
    [0xffff, 64, MAX_PARITY_GROUPS],
  ];
  for (const [count, groupSize, groups] of cases) {
    assert.equal(parityGroups(count, groupSize), groups, `${count} fragments, group ${groupSize}`);
  }
});

Deno.test("parityDatagrams() makes one datagram per group, fragmentSize long, XOR of its group", () => {
  const data = frameBytes();
  const datagrams = parityDatagrams(data, CAPTURE_TIME, {
    session: 1,
    frame: 3,
    fragmentSize: FRAGMENT_SIZE,
    groupSize: 10,
  });
  assert.equal(datagrams.length, 4);
  for (const [g, datagram] of datagrams.entries()) {
    assert.equal(datagram.length, DATA_HEADER_SIZE + FRAGMENT_SIZE);
    const parity = decodeParity(datagram);
    assert.deepEqual({ ...parity, payload: undefined }, {
      type: PacketType.PARITY,
      session: 1,
      frame: 3,
      frameLength: FRAME_LENGTH,
      group: g,
      groups: 4,
      fragmentSize: FRAGMENT_SIZE,
      captureTime: CAPTURE_TIME,
      payload: undefined,
    });
    // Byte by byte: fragments 0, 4, 8, ... for group 0; the short last one padded with zeros.
    const expected = new Uint8Array(FRAGMENT_SIZE);
    for (let index = g; index < 40; index += 4) {
      const fragment = data.subarray(index * FRAGMENT_SIZE, (index + 1) * FRAGMENT_SIZE);
      for (let i = 0; i < fragment.length; i++) expected[i] ^= fragment[i];
    }
    assert.deepEqual(parity.payload, expected, `group ${g}`);
  }
});

Deno.test("parityDatagrams() makes none for a frame of one fragment", () => {
  for (const length of [1, FRAGMENT_SIZE]) {
    const datagrams = parityDatagrams(frameBytes(length), CAPTURE_TIME, {
      session: 1,
      frame: 0,
      fragmentSize: FRAGMENT_SIZE,
      groupSize: 2,
    });
    assert.deepEqual(datagrams, [], `${length} bytes`);
  }
  assert.equal(send(frameBytes(FRAGMENT_SIZE + 1), 2).parity.length, 1, "two fragments get one");
});

Deno.test("Reassembler rebuilds any single lost fragment from parity, byte for byte", () => {
  const data = frameBytes();
  const sent = send(data, 10);
  assert.equal(sent.data.length, 40);
  assert.equal(sent.data[39].payload.length, 100, "the last fragment is short");
  for (let lost = 0; lost < 40; lost++) {
    const r = new Reassembler();
    const emitted = deliver(r, sent, [lost]);
    assert.equal(emitted.length, 1, `fragment ${lost} lost`);
    assert.deepEqual(emitted[0].data, data, `fragment ${lost} lost`);
    assert.equal(emitted[0].fragments, 40);
    assert.equal(r.stats.packetsRebuilt, 1, `fragment ${lost} lost`);
    assert.equal(r.stats.packetsLost, 0);
  }
});

Deno.test("Reassembler rebuilds a burst of as many lost fragments as there are groups", () => {
  const data = frameBytes();
  const sent = send(data, 10); // 4 groups
  for (let first = 0; first <= 36; first++) {
    const lost = [first, first + 1, first + 2, first + 3];
    const r = new Reassembler();
    const emitted = deliver(r, sent, lost);
    assert.equal(emitted.length, 1, `fragments ${lost} lost`);
    assert.deepEqual(emitted[0].data, data, `fragments ${lost} lost`);
    assert.equal(r.stats.packetsRebuilt, 4, `fragments ${lost} lost`);
  }
  const wide = send(data, 5); // 8 groups
  const r = new Reassembler();
  assert.deepEqual(deliver(r, wide, [20, 21, 22, 23, 24, 25, 26, 27])[0]?.data, data, "8 of 8");
});

Deno.test("Reassembler cannot rebuild two lost fragments of one group, and asks for both", () => {
  const data = frameBytes();
  const sent = send(data, 10); // 4 groups: 5 and 9 are both in group 1
  const r = new Reassembler();
  for (const packet of sent.data) if (packet.index !== 5 && packet.index !== 9) r.push(packet, T);
  assert.deepEqual(r.due(T + 5, DUE), [], "the frame's parity may still rebuild them");
  for (const packet of sent.parity) assert.equal(r.pushParity(packet, T + 5), undefined);
  assert.equal(r.stats.packetsRebuilt, 0);
  assert.equal(r.stats.pendingFrames, 1, "the frame stays incomplete");
  assert.deepEqual(r.due(T + 7, DUE), [
    { frame: 0, index: 5, count: 1 },
    { frame: 0, index: 9, count: 1 },
  ]);
  // One of the two comes again: parity now rebuilds the other.
  const frame = r.push({ ...sent.data[5], resent: true }, T + 10);
  assert.deepEqual(frame?.data, data);
  assert.equal(r.stats.packetsRebuilt, 1);
  assert.equal(r.stats.packetsRecovered, 1);
});

Deno.test("Reassembler rebuilds from parity that arrives before the data", () => {
  const data = frameBytes();
  const sent = send(data, 10);
  for (const lost of [0, 17, 39]) {
    const r = new Reassembler();
    const emitted = deliver(r, sent, [lost], true);
    assert.equal(emitted.length, 1, `fragment ${lost} lost`);
    assert.deepEqual(emitted[0].data, data, `fragment ${lost} lost`);
    assert.equal(r.stats.framesCompleted, 1);
    assert.equal(r.stats.packetsLost, 0);
  }
});

Deno.test("Reassembler counts parity that disagrees with its frame as inconsistent", () => {
  const data = frameBytes();
  const sent = send(data, 10);
  const r = new Reassembler();
  deliver(r, { data: sent.data, parity: [] }, [2]);
  const group = sent.parity[2];
  const cases: Array<[string, Parity]> = [
    ["another frame length", { ...group, frameLength: FRAME_LENGTH - 1 }],
    ["another capture time", { ...group, captureTime: CAPTURE_TIME + 1 }],
  ];
  for (const [name, parity] of cases) {
    assert.equal(r.pushParity(parity, T), undefined, name);
  }
  assert.equal(r.stats.packetsDropped.inconsistent, 2);
  assert.equal(r.stats.packetsRebuilt, 0);
  assert.deepEqual(r.pushParity(group, T)?.data, data, "the right parity still rebuilds it");
});

Deno.test("Reassembler counts parity with another number of groups as inconsistent", () => {
  const data = frameBytes();
  const four = send(data, 10).parity;
  const eight = send(data, 5).parity;
  const r = new Reassembler();
  r.pushParity(four[0], T);
  assert.equal(r.pushParity(eight[1], T), undefined);
  assert.equal(r.stats.packetsDropped.inconsistent, 1);
});

Deno.test("Reassembler rebuilds byte for byte, its frame's buffer allocated at once or later", () => {
  // 1,000 fragments in 250 groups of four.
  const length = 1000 * FRAGMENT_SIZE - 50;
  const data = frameBytes(length, 1);
  const sent = send(data, 4, 1);
  assert.equal(sent.parity.length, 250);
  const earlier = send(frameBytes(length, 0), 4, 0);
  let seed = 11;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  for (let round = 0; round < 6; round++) {
    // Three fragments lost, in three groups; everything else in any order.
    const lost = [random(250), 250 + random(250), 500 + random(500)];
    const all: Array<Data | Parity> = [
      ...sent.data.filter((packet) => !lost.includes(packet.index)),
      ...sent.parity,
    ];
    for (let i = all.length - 1; i > 0; i--) {
      const j = random(i + 1);
      [all[i], all[j]] = [all[j], all[i]];
    }
    // A reassembler that has just put a frame as large together allocates the
    // next one's buffer at its start; a new one, once an eighth has come.
    for (const atOnce of [false, true]) {
      const where = `round ${round}, ${atOnce ? "at once" : "later"}, lost ${lost}`;
      const r = new Reassembler();
      if (atOnce) assert.equal(deliver(r, earlier, []).length, 1, where);
      const emitted: AssembledFrame[] = [];
      all.forEach((packet, i) => {
        const frame = packet.type === PacketType.DATA ? r.push(packet, T) : r.pushParity(packet, T);
        if (frame !== undefined) emitted.push(frame);
        if (i !== 100) return;
        const held = r.stats.pendingBytes;
        if (atOnce) assert.ok(held >= length, `${where}: ${held} bytes held`);
        else assert.ok(held < length / 4, `${where}: ${held} bytes held`);
      });
      assert.equal(emitted.length, 1, where);
      assert.deepEqual(emitted[0].data, data, where);
      // The lost ones, and any whose parity came before them.
      assert.ok(r.stats.packetsRebuilt >= 3, where);
    }
  }
});

Deno.test("Reassembler counts parity in the bytes it holds, and keeps within its bound", () => {
  // 200 fragments of 10,000 bytes in 100 parity groups of two: 1 MB of parity
  // that cannot rebuild anything while the data stays away.
  const fragmentSize = 10_000;
  const length = 200 * fragmentSize;
  const limit = 2_500_000;
  const frame = (n: number) => {
    const data = frameBytes(length, n);
    const captureTime = CAPTURE_TIME + n;
    const mtu = DATA_HEADER_SIZE + fragmentSize;
    return {
      first: decodeData(fragmentFrame(data, captureTime, { session: 1, frame: n, mtu })[0]),
      parity: parityDatagrams(data, captureTime, {
        session: 1,
        frame: n,
        fragmentSize,
        groupSize: 2,
      })
        .map(decodeParity),
    };
  };
  const frames = [frame(0), frame(1), frame(2)];
  assert.equal(frames[0].parity.length, 100);
  const r = new Reassembler({ maxPendingBytes: limit });
  const deliver = ({ first, parity }: ReturnType<typeof frame>) => {
    r.push(first, T);
    for (const packet of parity) {
      r.pushParity(packet, T);
      assert.ok(r.stats.pendingBytes <= limit, `${r.stats.pendingBytes} bytes held`);
    }
  };
  const before = Deno.memoryUsage().external;
  deliver(frames[0]);
  const grown = Deno.memoryUsage().external - before;
  const held = r.stats.pendingBytes;
  assert.equal(r.stats.pendingFrames, 1);
  assert.ok(held >= 100 * fragmentSize, `${held} bytes counted for 1 MB of parity`);
  assert.ok(grown <= held + 65536, `array buffers grew by ${grown} bytes, ${held} of them counted`);
  // More frames' parity would pass the bound: the oldest frame gives way.
  deliver(frames[1]);
  deliver(frames[2]);
  assert.ok(r.stats.framesDropped.evicted >= 1, "a frame was evicted");
  assert.ok(r.stats.pendingFrames >= 1);
});

Deno.test("xorInto() on unaligned views matches a byte-by-byte XOR", () => {
  const buffer = Uint8Array.from({ length: 96 }, (_, i) => (i * 151 + 7) & 0xff);
  for (let targetOffset = 0; targetOffset < 4; targetOffset++) {
    for (let sourceOffset = 0; sourceOffset < 4; sourceOffset++) {
      for (let length = 0; length <= 13; length++) {
        const copy = buffer.slice();
        const target = copy.subarray(4 + targetOffset, 4 + targetOffset + length);
        const source = copy.subarray(48 + sourceOffset, 48 + sourceOffset + length);
        const expected = Uint8Array.from(target, (byte, i) => byte ^ source[i]);
        const before = [...copy.subarray(0, 4 + targetOffset), ...copy.subarray(48)];
        xorInto(target, source);
        const name = `target +${targetOffset}, source +${sourceOffset}, ${length} bytes`;
        assert.deepEqual(target, expected, name);
        assert.deepEqual(
          [...copy.subarray(0, 4 + targetOffset), ...copy.subarray(48)],
          before,
          `${name}: nothing else changes`,
        );
      }
    }
  }
});

Deno.test("xorInto() XORs a shorter source into the start of the target", () => {
  const target = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
  xorInto(target, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff));
  assert.deepEqual([...target], [0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 6, 7]);
});
