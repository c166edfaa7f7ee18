import assert from "node:assert/strict";
import { FrameInterval, type FramePlanOptions, planFrame } from "../../lib/send/frame_plan.ts";
import { DATA_HEADER_SIZE } from "../../lib/wire/data.ts";
import { fragmentFrame } from "../../lib/wire/fragment_frame.ts";
import { parityDatagrams } from "../../lib/wire/parity_datagrams.ts";

/** An MTU that carries 1,000 bytes of frame a datagram. */
const MTU = DATA_HEADER_SIZE + 1000;

const BASE: FramePlanOptions = {
  session: 7,
  frame: 3,
  mtu: MTU,
  fecGroup: 0,
  spreadMs: 4,
  intervalMs: 1000 / 30,
  receivers: 1,
};

Deno.test("planFrame() counts fragments, parity, the gap and the tail copy", () => {
  const cases: Array<{
    name: string;
    bytes: number;
    options: Partial<FramePlanOptions>;
    fragments: number;
    parity: number;
    gapMs: number;
    tailCopy: boolean;
  }> = [
    {
      name: "one fragment: nothing to spread, no parity, no tail copy",
      bytes: 500,
      options: { fecGroup: 4 },
      fragments: 1,
      parity: 0,
      gapMs: 0,
      tailCopy: false,
    },
    {
      name: "three fragments without FEC: the spread between them, and a tail copy",
      bytes: 2500,
      options: {},
      fragments: 3,
      parity: 0,
      gapMs: 2,
      tailCopy: true,
    },
    {
      name: "three fragments with a parity per two: the parity sent too, no tail copy",
      bytes: 2500,
      options: { fecGroup: 2 },
      fragments: 3,
      parity: 2,
      gapMs: 1,
      tailCopy: false,
    },
    {
      name: "two receivers: a send per datagram and receiver",
      bytes: 2500,
      options: { receivers: 2 },
      fragments: 3,
      parity: 0,
      gapMs: 0.8,
      tailCopy: true,
    },
    {
      name: "one fragment to five receivers: spread over them",
      bytes: 500,
      options: { receivers: 5 },
      fragments: 1,
      parity: 0,
      gapMs: 1,
      tailCopy: false,
    },
    {
      name: "a spread longer than half the frame interval is cut to it",
      bytes: 2500,
      options: { spreadMs: 10, intervalMs: 8 },
      fragments: 3,
      parity: 0,
      gapMs: 2,
      tailCopy: true,
    },
    {
      name: "no spread: back to back",
      bytes: 2500,
      options: { spreadMs: 0 },
      fragments: 3,
      parity: 0,
      gapMs: 0,
      tailCopy: true,
    },
  ];
  for (const c of cases) {
    const plan = planFrame(new Uint8Array(c.bytes).fill(1), 1000, { ...BASE, ...c.options });
    assert.equal(plan.fragments.length, c.fragments, c.name);
    assert.equal(plan.parity.length, c.parity, c.name);
    assert.ok(Math.abs(plan.gapMs - c.gapMs) < 1e-9, `${c.name}: gap ${plan.gapMs}`);
    assert.equal(plan.tailCopy, c.tailCopy, c.name);
  }
});

Deno.test("planFrame() cuts the frame as fragmentFrame() and parityDatagrams() do", () => {
  const data = Uint8Array.from({ length: 3500 }, (_, i) => i * 7);
  const plan = planFrame(data, 1234.5, { ...BASE, fecGroup: 2 });
  assert.deepEqual(plan.fragments, fragmentFrame(data, 1234.5, { session: 7, frame: 3, mtu: MTU }));
  assert.deepEqual(
    plan.parity,
    parityDatagrams(data, 1234.5, { session: 7, frame: 3, fragmentSize: 1000, groupSize: 2 }),
  );
});

Deno.test("FrameInterval averages the gaps between capture times", () => {
  const cases: Array<{ name: string; captures: number[]; ms: number }> = [
    { name: "no frame yet", captures: [], ms: 1000 / 30 },
    { name: "one frame", captures: [100], ms: 1000 / 30 },
    { name: "a gap of 50 ms", captures: [100, 150], ms: (1000 / 30) * 0.9 + 5 },
    { name: "a gap of 2 s is left out", captures: [100, 2100], ms: 1000 / 30 },
    { name: "a step back is left out", captures: [100, 50], ms: 1000 / 30 },
    { name: "a repeated time is left out", captures: [100, 100], ms: 1000 / 30 },
    {
      name: "a gap after one left out counts from the frame before",
      captures: [100, 5000, 5040],
      ms: (1000 / 30) * 0.9 + 4,
    },
  ];
  for (const c of cases) {
    const interval = new FrameInterval();
    for (const capture of c.captures) interval.measure(capture);
    assert.ok(Math.abs(interval.ms - c.ms) < 1e-9, `${c.name}: ${interval.ms}`);
  }
});
