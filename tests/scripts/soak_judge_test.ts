import assert from "node:assert/strict";
import type { ProcessSample } from "../../scripts/bench/process_sample.ts";
import { judgeSoak, resolveSoakLimits } from "../../scripts/bench/soak_report.ts";

/** Noise in [-1, 1), the same on every run. */
function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31) * 2 - 1;
  };
}

/** A 10-minute soak sampled every 10 s: steady unless `change` says otherwise. */
function soak(
  change: (t: number) => Partial<ProcessSample> = () => ({}),
  seconds = 600,
): ProcessSample[] {
  const samples: ProcessSample[] = [];
  for (let t = 0; t <= seconds; t += 10) {
    samples.push({
      t,
      rssMB: 80,
      heapMB: 12,
      externalMB: 2,
      fds: 24,
      threads: 11,
      timers: 4,
      resources: 9,
      ...change(t),
    });
  }
  return samples;
}

Deno.test("judgeSoak() passes a tool whose memory and counts hold steady", () => {
  const judgement = judgeSoak(soak());
  assert.equal(judgement.ok, true);
  assert.deepEqual(judgement.growth, []);
  assert.equal(judgement.warmupSeconds, 200);
  for (const series of Object.values(judgement.series)) assert.equal(series.flat, true);
  assert.deepEqual(judgement.series.rssMB, {
    start: 80,
    end: 80,
    slopePerMinute: 0,
    flat: true,
  });
});

Deno.test("judgeSoak() fails RSS that grows 2 MB a minute", () => {
  const judgement = judgeSoak(soak((t) => ({ rssMB: 80 + (2 * t) / 60 })));
  assert.equal(judgement.ok, false);
  assert.equal(judgement.series.rssMB.flat, false);
  assert.ok(Math.abs(judgement.series.rssMB.slopePerMinute! - 2) < 1e-9);
  assert.equal(judgement.series.heapMB.flat, true);
  assert.equal(judgement.growth.length, 1);
  assert.match(judgement.growth[0], /^RSS grew 20\.0 MB over the run/);
});

Deno.test("judgeSoak() fails a JS heap that leaks 1.5 MB a minute under GC noise", () => {
  const random = noise(7);
  const judgement = judgeSoak(soak((t) => ({ heapMB: 12 + (1.5 * t) / 60 + 3 * random() })));
  assert.equal(judgement.ok, false);
  assert.equal(judgement.series.heapMB.flat, false);
  assert.match(judgement.growth[0], /^JS heap /);
});

Deno.test("judgeSoak() tolerates noise of a few MB and counts that wobble", () => {
  const random = noise(1);
  const judgement = judgeSoak(soak((t) => ({
    rssMB: 80 + 4 * random(),
    // The heap saws up and down as the garbage collector runs.
    heapMB: 12 + ((t / 10) % 5),
    fds: 24 + Math.round(random()),
    threads: 11 + (t % 30 === 0 ? 2 : 0),
    timers: 4 + Math.round(random()),
  })));
  assert.deepEqual(judgement.growth, []);
  assert.equal(judgement.ok, true);
});

Deno.test("judgeSoak() fails a step up of the floor late in the run", () => {
  // 12 MB more over the last minute: a step up of the floor.
  const judgement = judgeSoak(soak((t) => ({ rssMB: t >= 560 ? 92 : 80 })));
  assert.equal(judgement.ok, false);
  assert.match(judgement.growth[0], /^RSS grew 12\.9 MB over the run by the least-squares line/);
});

Deno.test("judgeSoak() judges memory by its floor: a garbage collector's saw tooth is not growth", () => {
  // Up 30 MB and back each minute, with the peaks drifting up: the floor stays put.
  const sawTooth = judgeSoak(soak((t) => ({ rssMB: 80 + ((t % 60) / 2) * (1 + t / 600) })));
  assert.equal(sawTooth.series.rssMB.flat, true);
  // The same with a floor that rises 1.5 MB a minute: a leak.
  const leak = judgeSoak(soak((t) => ({ rssMB: 80 + (1.5 * t) / 60 + ((t % 60) / 2) })));
  assert.equal(leak.series.rssMB.flat, false);
});

Deno.test("judgeSoak() leaves the warm-up out and does not count falling as growth", () => {
  const judgement = judgeSoak(soak((t) => ({
    rssMB: t < 60 ? 40 + (2 * t) / 3 : 80,
    heapMB: 30 - t / 30,
    timers: t < 60 ? 20 : 4,
  })));
  assert.equal(judgement.ok, true);
  assert.equal(judgement.series.rssMB.start, 40);
  assert.equal(judgement.series.heapMB.flat, true);
});

Deno.test("judgeSoak() fails a count that keeps rising", () => {
  const judgement = judgeSoak(soak((t) => ({ timers: 4 + Math.floor(t / 60) })));
  assert.equal(judgement.ok, false);
  assert.equal(judgement.series.timers.flat, false);
  assert.deepEqual(judgement.growth, [
    "timers rose to 14 in the last third from at most 9 in the first (tolerance 2)",
  ]);
});

Deno.test("judgeSoak() lets a count end at most the tolerance above its early high", () => {
  const within = judgeSoak(soak((t) => ({ fds: t === 590 ? 26 : 24 })));
  assert.equal(within.series.fds.flat, true);
  const beyond = judgeSoak(soak((t) => ({ fds: t === 590 ? 27 : 24 })));
  assert.equal(beyond.series.fds.flat, false);
  const custom = judgeSoak(soak((t) => ({ fds: t === 590 ? 27 : 24 })), { countTolerance: 3 });
  assert.equal(custom.series.fds.flat, true);
});

Deno.test("judgeSoak() leaves the census's series unjudged when there is no census", () => {
  const judgement = judgeSoak(soak(() => ({ heapMB: null, timers: null, resources: null })));
  assert.equal(judgement.ok, true);
  assert.deepEqual(judgement.series.timers, {
    start: null,
    end: null,
    slopePerMinute: null,
    flat: null,
  });
  assert.equal(judgement.series.fds.flat, true);
});

Deno.test("judgeSoak() warms up for a third of the run and needs 3 samples after it", () => {
  assert.equal(judgeSoak(soak(undefined, 90)).warmupSeconds, 30);
  assert.deepEqual(resolveSoakLimits(3600), {
    warmupSeconds: 1200,
    maxGrowthMB: 10,
    countTolerance: 2,
  });
  assert.throws(
    () => judgeSoak(soak(undefined, 20)),
    (error) => error instanceof RangeError && /3 samples after the warm-up/.test(error.message),
  );
});
