import assert from "node:assert/strict";
import { RecoveryWaits } from "../../lib/receive/recovery_waits.ts";

const ASKED = { reorderMs: 1, retryMs: 10, tailMs: 3, awaitParity: true };

Deno.test("RecoveryWaits.waits() starts from a 20 ms gap and no reorder wait", () => {
  const waits = new RecoveryWaits();
  assert.equal(waits.gapMs, 20);
  assert.equal(waits.reorderMs, 0);
  assert.deepEqual(waits.waits(ASKED), { ...ASKED, tailMs: 60 });
});

Deno.test("RecoveryWaits.waits() never asks sooner than the options say", () => {
  const waits = new RecoveryWaits();
  assert.deepEqual(waits.waits({ ...ASKED, reorderMs: 5, tailMs: 100 }), {
    ...ASKED,
    reorderMs: 5,
    tailMs: 100,
  });
});

Deno.test("RecoveryWaits.gap() keeps the longest recent gap, decaying", () => {
  const cases: Array<{ gaps: number[]; gapMs: number }> = [
    { gaps: [], gapMs: 20 },
    { gaps: [30], gapMs: 30 },
    { gaps: [1], gapMs: 20 * 0.995 },
    { gaps: [1, 1], gapMs: 20 * 0.995 * 0.995 },
    { gaps: [40, 10], gapMs: 40 * 0.995 },
    { gaps: [40, 50], gapMs: 50 },
  ];
  for (const { gaps, gapMs } of cases) {
    const waits = new RecoveryWaits();
    for (const gap of gaps) waits.gap(gap);
    assert.equal(waits.gapMs, gapMs, `gaps ${gaps}`);
    assert.equal(waits.waits(ASKED).tailMs, Math.max(3, 3 * gapMs));
  }
});

Deno.test("RecoveryWaits.reordered() waits 1.25 times the lateness, at most 20 ms", () => {
  const cases: Array<{ late: number[]; reorderMs: number }> = [
    { late: [4], reorderMs: 5 },
    { late: [4, 2], reorderMs: 5 },
    { late: [2, 8], reorderMs: 10 },
    { late: [100], reorderMs: 20 },
  ];
  for (const { late, reorderMs } of cases) {
    const waits = new RecoveryWaits();
    for (const ms of late) waits.reordered(ms);
    assert.equal(waits.reorderMs, reorderMs, `late ${late}`);
    assert.equal(waits.waits(ASKED).reorderMs, reorderMs);
  }
});

Deno.test("RecoveryWaits.frameEmitted() forgets the reorder wait slowly", () => {
  const waits = new RecoveryWaits();
  waits.reordered(8);
  waits.frameEmitted();
  assert.equal(waits.reorderMs, 10 * 0.995);
});

Deno.test("RecoveryWaits.resetGap() forgets the gap but keeps the reorder wait", () => {
  const waits = new RecoveryWaits();
  waits.gap(90);
  waits.reordered(4);
  waits.resetGap();
  assert.equal(waits.gapMs, 20);
  assert.equal(waits.reorderMs, 5);
});
