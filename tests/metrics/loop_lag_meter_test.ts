import assert from "node:assert/strict";
import { LoopLagMeter } from "../../lib/metrics/loop_lag_meter.ts";
import { LoopLagSampler } from "../../lib/metrics/loop_lag_sampler.ts";

/** Arms a sampler on a fake clock at 0, then runs the timer at each of `firings` (ms). */
function sampled(firings: number[], options: { intervalMs?: number; windowMs?: number } = {}) {
  let now = 0;
  const sampler = new LoopLagSampler({ ...options, now: () => now });
  sampler.arm();
  for (const at of firings) {
    now = at;
    sampler.fired();
  }
  return { sampler, setNow: (at: number) => now = at };
}

Deno.test("LoopLagSampler measures how late each timer ran after the one before", () => {
  const cases: Array<{ name: string; firings: number[]; maxMs: number; p99Ms: number }> = [
    { name: "no sample", firings: [], maxMs: 0, p99Ms: 0 },
    { name: "on time", firings: [10, 20, 30], maxMs: 0, p99Ms: 0 },
    { name: "one late timer", firings: [10, 45, 55], maxMs: 25, p99Ms: 25 },
    { name: "late by fractions", firings: [10.5, 21.25], maxMs: 0.75, p99Ms: 0.75 },
    // Lateness counts from when the timer was armed, not from a fixed grid.
    { name: "each from the last", firings: [12, 24, 36], maxMs: 2, p99Ms: 2 },
    { name: "early counts as on time", firings: [9, 18], maxMs: 0, p99Ms: 0 },
  ];
  for (const { name, firings, maxMs, p99Ms } of cases) {
    assert.deepEqual(sampled(firings).sampler.lag(), { maxMs, p99Ms }, name);
  }
});

Deno.test("LoopLagSampler gives the 99th percentile by nearest rank, and the worst", () => {
  // 199 samples on time and one 50 ms late: the worst is 50, the p99 (rank 198 of 200) is 0.
  const firings: number[] = [];
  let at = 0;
  for (let i = 0; i < 200; i++) firings.push(at += i === 100 ? 60 : 10);
  assert.deepEqual(sampled(firings).sampler.lag(), { maxMs: 50, p99Ms: 0 });
  // Three late of 200 put the p99 among them: ranks 198 to 200 are 30, 40, 50.
  const late = new Map([[50, 30], [100, 40], [150, 50]]);
  const more: number[] = [];
  at = 0;
  for (let i = 0; i < 200; i++) more.push(at += 10 + (late.get(i) ?? 0));
  assert.deepEqual(sampled(more).sampler.lag(), { maxMs: 50, p99Ms: 30 });
});

Deno.test("LoopLagSampler forgets samples older than its window", () => {
  const { sampler, setNow } = sampled([10, 100, 110], { windowMs: 1000 });
  assert.equal(sampler.lag().maxMs, 80);
  setNow(1099);
  assert.equal(sampler.lag().maxMs, 80, "still inside the window");
  setNow(1100);
  assert.deepEqual(sampler.lag(), { maxMs: 0, p99Ms: 0 }, "the late one has left");
  setNow(1111);
  assert.deepEqual(sampler.lag(), { maxMs: 0, p99Ms: 0 }, "all have left");
});

Deno.test("LoopLagSampler keeps a minute of samples by default and trims as it goes", () => {
  let at = 0;
  const firings = [at += 510];
  for (let i = 0; i < 20_000; i++) firings.push(at += 10);
  const { sampler } = sampled(firings);
  assert.deepEqual(sampler.lag(), { maxMs: 0, p99Ms: 0 }, "the 500 ms at the start is gone");
  const recent = sampled([10, 520, 530]).sampler;
  assert.equal(recent.lag().maxMs, 500);
});

Deno.test("LoopLagSampler rejects a bad interval or window", () => {
  const now = () => 0;
  for (const intervalMs of [0, -1, NaN, Infinity]) {
    assert.throws(() => new LoopLagSampler({ now, intervalMs }), RangeError);
  }
  assert.throws(() => new LoopLagSampler({ now, windowMs: 0 }), RangeError);
});

Deno.test("LoopLagMeter sees the event loop held up, and stops on close", async () => {
  const meter = new LoopLagMeter({ intervalMs: 5 });
  await new Promise((resolve) => setTimeout(resolve, 30));
  const before = meter.lag.maxMs;
  const end = performance.now() + 120;
  while (performance.now() < end) {
    // Hold the loop up.
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
  const after = meter.lag;
  meter.close();
  meter.close();
  assert.ok(before < 100, `${before} ms before the stall`);
  assert.ok(after.maxMs >= 100, `${after.maxMs} ms after a 120 ms stall`);
  assert.ok(after.p99Ms <= after.maxMs);
});

/** Holds the event loop for `ms`. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Hold the loop up.
  }
}

Deno.test("LoopLagMeter, once settled, samples each turn of work: a stall after touch() is measured", async () => {
  // Settled at once, and its own timer too far off to run in this test.
  const meter = new LoopLagMeter({ startMs: 0, intervalMs: 1, settledIntervalMs: 60_000 });
  try {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = meter.lag.maxMs;
    stall(60); // not work that was announced: no sample is due
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(meter.lag.maxMs < 50, `${meter.lag.maxMs} ms: nothing was due during that stall`);
    meter.touch();
    meter.touch(); // one sample pending at a time
    stall(60);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(before < 50, `${before} ms before`);
    assert.ok(meter.lag.maxMs >= 50, `${meter.lag.maxMs} ms after a 60 ms stall in announced work`);
  } finally {
    meter.close();
  }
  meter.touch(); // closed: nothing is armed, so the test leaks no timer
});

Deno.test("LoopLagMeter rejects a bad settled interval or work delay", () => {
  for (const settledIntervalMs of [0, -1, NaN]) {
    assert.throws(() => new LoopLagMeter({ settledIntervalMs }), RangeError);
  }
  assert.throws(() => new LoopLagMeter({ workDelayMs: 0 }), RangeError);
});
