import assert from "node:assert/strict";
import {
  DEFAULT_LATENCY_BOUNDS_MS,
  LatencyHistogram,
} from "../../lib/metrics/latency_histogram.ts";

/** How many of `samples` are at or below `bound`, counted the plain way. */
function atOrBelow(samples: number[], bound: number): number {
  return samples.filter((s) => Math.max(0, s) <= bound).length;
}

Deno.test("LatencyHistogram counts a sample equal to a bound in that bucket", () => {
  const histogram = new LatencyHistogram({ boundsMs: [10, 20] });
  for (const ms of [10, 10.000001, 20, 21]) histogram.observe(ms);
  assert.deepEqual(histogram.snapshot(), {
    buckets: [{ leMs: 10, count: 1 }, { leMs: 20, count: 3 }, { leMs: Infinity, count: 4 }],
    count: 4,
    sumMs: 61.000001,
  });
});

Deno.test("LatencyHistogram buckets are cumulative and agree with counting each bound", () => {
  const histogram = new LatencyHistogram();
  let seed = 7;
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    // Spread over 0.1 ms to ~5 s, on a log scale, as latencies spread.
    const ms = 0.1 * Math.exp((seed / 2 ** 31) * Math.log(50_000));
    samples.push(ms);
    histogram.observe(ms);
  }
  const { buckets, count, sumMs } = histogram.snapshot();
  assert.deepEqual(buckets.map((b) => b.leMs), [...DEFAULT_LATENCY_BOUNDS_MS, Infinity]);
  for (const bucket of buckets) assert.equal(bucket.count, atOrBelow(samples, bucket.leMs));
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].count >= buckets[i - 1].count);
  assert.equal(count, samples.length);
  assert.equal(buckets.at(-1)!.count, count);
  const expectedSum = samples.reduce((sum, s) => sum + s, 0);
  assert.ok(Math.abs(sumMs - expectedSum) < 1e-6 * expectedSum, `${sumMs} vs ${expectedSum}`);
});

Deno.test("LatencyHistogram counts a negative sample as 0 and ignores one that is not finite", () => {
  const histogram = new LatencyHistogram({ boundsMs: [1] });
  histogram.observe(-3);
  histogram.observe(NaN);
  histogram.observe(Infinity);
  assert.deepEqual(histogram.snapshot(), {
    buckets: [{ leMs: 1, count: 1 }, { leMs: Infinity, count: 1 }],
    count: 1,
    sumMs: 0,
  });
});

Deno.test("LatencyHistogram snapshots are copies that later samples do not change", () => {
  const histogram = new LatencyHistogram({ boundsMs: [5] });
  histogram.observe(1);
  const before = histogram.snapshot();
  histogram.observe(9);
  assert.deepEqual(before.buckets, [{ leMs: 5, count: 1 }, { leMs: Infinity, count: 1 }]);
  assert.equal(histogram.snapshot().count, 2);
});

Deno.test("LatencyHistogram rejects bounds that are not ascending, finite and above 0", () => {
  for (const boundsMs of [[5, 5], [10, 2], [0, 1], [-1], [1, Infinity], [NaN]]) {
    assert.throws(() => new LatencyHistogram({ boundsMs }), RangeError, JSON.stringify(boundsMs));
  }
  assert.deepEqual(new LatencyHistogram({ boundsMs: [] }).snapshot().buckets, [
    { leMs: Infinity, count: 0 },
  ]);
});
