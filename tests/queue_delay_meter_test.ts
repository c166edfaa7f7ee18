import assert from "node:assert/strict";
import { QueueDelayMeter } from "../lib/queue_delay_meter.ts";

const WINDOWS = { baseWindowMs: 10_000, recentWindowMs: 500 };
/** Jitter added to successive samples: most datagrams wait a little more than the least. */
const JITTER = [0, 37, 12, 25, 3, 18, 9];

/** Feeds `delay(t)` every 20 ms from `from` to `to` (ms). */
function feed(meter: QueueDelayMeter, from: number, to: number, delay: (t: number) => number) {
  for (let t = from; t <= to; t += 20) meter.add(delay(t), t);
}

Deno.test("QueueDelayMeter gives 0 for a constant delay", () => {
  const meter = new QueueDelayMeter(WINDOWS);
  feed(meter, 0, 5000, () => 25);
  assert.equal(meter.value(5000), 0);
});

Deno.test("QueueDelayMeter gives the rise of the delay above the least", () => {
  const meter = new QueueDelayMeter(WINDOWS);
  feed(meter, 0, 3000, () => 10);
  // A queue builds up over a second, then stays 80 ms long.
  feed(meter, 3020, 4000, (t) => 10 + 80 * (t - 3000) / 1000);
  feed(meter, 4020, 5000, () => 90);
  assert.ok(Math.abs(meter.value(5000) - 80) < 1, `${meter.value(5000)}`);
});

Deno.test("QueueDelayMeter ignores jitter on top of a constant delay", () => {
  const meter = new QueueDelayMeter(WINDOWS);
  feed(meter, 0, 5000, (t) => 10 + JITTER[(t / 20) % JITTER.length]);
  assert.equal(meter.value(5000), 0);
  feed(meter, 5020, 6000, (t) => 90 + JITTER[(t / 20) % JITTER.length]);
  assert.equal(meter.value(6000), 80, "a queue shows through the jitter");
});

Deno.test("QueueDelayMeter forgets samples that left its windows", () => {
  const meter = new QueueDelayMeter({ baseWindowMs: 1000, recentWindowMs: 100 });
  feed(meter, 0, 1000, () => 10);
  feed(meter, 1020, 1500, () => 90);
  assert.equal(meter.value(1500), 80);
  // The higher delay lasts a whole base window: it is the path's own delay now.
  feed(meter, 1520, 2600, () => 90);
  assert.equal(meter.value(2600), 0);
  // No sample in the last 100 ms: no estimate of the delay now.
  assert.equal(meter.value(2800), 0);
  meter.add(150, 2800);
  assert.equal(meter.value(2800), 60, "alone in the recent window, over the 90 ms base");
});

Deno.test("QueueDelayMeter cancels a constant clock offset", () => {
  const delay = (t: number) => (t < 3000 ? 10 : 70) + JITTER[(t / 20) % JITTER.length];
  const synced = new QueueDelayMeter(WINDOWS);
  feed(synced, 0, 4000, delay);
  for (const offset of [1.7e12, -3_600_000]) {
    const skewed = new QueueDelayMeter(WINDOWS);
    feed(skewed, 0, 4000, (t) => delay(t) + offset);
    assert.ok(Math.abs(skewed.value(4000) - 60) < 1e-3, `offset ${offset}: ${skewed.value(4000)}`);
  }
  assert.equal(synced.value(4000), 60);
});

Deno.test("QueueDelayMeter gives 0 with no samples, and after clear()", () => {
  const meter = new QueueDelayMeter(WINDOWS);
  assert.equal(meter.value(0), 0);
  feed(meter, 0, 1000, (t) => (t < 400 ? 10 : 50));
  assert.equal(meter.value(1000), 40);
  meter.clear();
  assert.equal(meter.value(1000), 0);
  meter.add(70, 1020);
  assert.equal(meter.value(1020), 0, "the old least delay is gone");
});
