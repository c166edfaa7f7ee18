import assert from "node:assert/strict";
import { QueueDelayMeter } from "../../lib/metrics/queue_delay_meter.ts";

const WINDOWS = { baseWindowMs: 10_000, recentWindowMs: 500, recentSamples: 1 };
/** Jitter added to successive samples: most datagrams wait a little more than the least. */
const JITTER = [0, 37, 12, 25, 3, 18, 9];

/** Feeds `delay(t)` every 20 ms from `from` to `to` (ms): sent at t - delay, arrived at t. */
function feed(meter: QueueDelayMeter, from: number, to: number, delay: (t: number) => number) {
  for (let t = from; t <= to; t += 20) meter.add(t - delay(t), t, t);
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
  meter.add(2800 - 150, 2800, 2800);
  assert.equal(meter.value(2800), 0, "one late sample after a pause is not a queue");
  meter.add(2820 - 150, 2820, 2820);
  meter.add(2840 - 150, 2840, 2840);
  assert.equal(meter.value(2840), 60, "three in a row are: over the 90 ms base");
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
  meter.add(1020 - 70, 1020, 1020);
  assert.equal(meter.value(1020), 0, "the old least delay is gone");
});

Deno.test("QueueDelayMeter stays under 5 ms when the receiver's clock offset estimate moves 500 ms", () => {
  // The receiver's clock runs 1234 ms behind the sender's; the path takes 8 ms
  // plus jitter. Frames carry their capture time on the sender's clock.
  const offset = 1234;
  const meter = new QueueDelayMeter();
  // What the receiver once did: correct capture times with its estimate of the
  // offset, which was 500 ms off until a better round trip came at 3 s.
  const corrected = new QueueDelayMeter();
  const estimate = (t: number) => (t < 3000 ? offset - 500 : offset);
  let worst = 0;
  let worstCorrected = 0;
  for (let t = 0; t <= 8000; t += 33) {
    const arrived = t + 8 + JITTER[(t / 33) % JITTER.length] / 10;
    const captured = t + offset; // on the sender's clock
    meter.add(captured, arrived, arrived);
    corrected.add(captured - estimate(t), arrived, arrived);
    worst = Math.max(worst, meter.value(arrived));
    worstCorrected = Math.max(worstCorrected, corrected.value(arrived));
  }
  assert.ok(worst < 5, `queue delay up to ${worst.toFixed(1)} ms`);
  assert.ok(worstCorrected > 400, "correcting by a moving estimate would read as a queue");
});

Deno.test("QueueDelayMeter forgets a step in the path's delay within its 2 s base window", () => {
  // A route change: +50 ms from 5 s on, and it stays.
  const meter = new QueueDelayMeter();
  const readings: Array<[number, number]> = [];
  for (let t = 0; t <= 10_000; t += 33) {
    const delay = (t < 5000 ? 10 : 60) + JITTER[(t / 33) % JITTER.length] / 10;
    meter.add(t - delay, t, t);
    readings.push([t, meter.value(t)]);
  }
  const queued = readings.filter(([, value]) => value > 40).map(([t]) => t);
  assert.ok(queued.length > 0, "the step shows for a moment");
  assert.ok(
    queued.at(-1)! - queued[0] < 2000,
    `read as a queue from ${queued[0]} to ${queued.at(-1)}`,
  );
  assert.ok(readings.at(-1)![1] < 5);
});
