import assert from "node:assert/strict";
import {
  type Adaptation,
  formatRung,
  lowestRung,
  readAdaptations,
  rungAt,
} from "../../scripts/bench/adaptation_log.ts";
import { secondsBack } from "../../scripts/bench/seconds_back.ts";
import type { StatsSample } from "../../scripts/bench/stats_sampler.ts";
import { judgeTransient } from "../../scripts/bench/transient_report.ts";
import { queueSeconds, summarizeTransient } from "../../scripts/bench/transient_summary.ts";

/** Readings every 250 ms from `from` to `to` (ms), each as `at` says. */
function readings(
  from: number,
  to: number,
  at: (t: number) => Partial<StatsSample> = () => ({}),
): StatsSample[] {
  const samples: StatsSample[] = [];
  for (let t = from; t <= to; t += 250) {
    samples.push({ at: t, fps: 30, bitrateMbps: 10, framesDropped: 0, queueDelayMs: 0, ...at(t) });
  }
  return samples;
}

Deno.test("readAdaptations() reads shared and per-receiver changes with their times", () => {
  const events = [
    { event: "listening", time: "2026-01-01T00:00:00.000Z" },
    {
      event: "adapted",
      time: "2026-01-01T00:00:01.500Z",
      receiver: "127.0.0.1:1",
      quality: 65,
      widthScale: 1,
      reason: "loss",
    },
    {
      event: "adapted",
      time: "2026-01-01T00:00:02.000Z",
      receiver: "127.0.0.1:1",
      fpsScale: 2 / 3,
      reason: "queue",
    },
  ];
  const at = Date.parse("2026-01-01T00:00:00.000Z");
  assert.deepEqual(readAdaptations(events), [
    { at: at + 1500, quality: 65, widthScale: 1 },
    { at: at + 2000, fpsScale: 2 / 3 },
  ]);
});

Deno.test("rungAt() takes the last change of each field at or before the moment", () => {
  const changes: Adaptation[] = [
    { at: 100, quality: 50, widthScale: 1 },
    { at: 200, fpsScale: 0.5 },
    { at: 300, quality: 65, widthScale: 1 },
    { at: 400, fpsScale: 1 },
  ];
  assert.deepEqual(rungAt(changes, 50), { quality: 80, widthScale: 1, fpsScale: 1 });
  assert.deepEqual(rungAt(changes, 200), { quality: 50, widthScale: 1, fpsScale: 0.5 });
  assert.deepEqual(rungAt(changes, 350), { quality: 65, widthScale: 1, fpsScale: 0.5 });
  assert.deepEqual(lowestRung(changes), { quality: 50, widthScale: 1, fpsScale: 0.5 });
  assert.deepEqual(lowestRung([]), { quality: 80, widthScale: 1, fpsScale: 1 });
  assert.equal(formatRung(lowestRung(changes)), "quality 50, 1/2 of frames");
  assert.equal(
    formatRung({ quality: 20, widthScale: 0.75, fpsScale: 5 / 6 }),
    "quality 20, 5/6 of frames, 3/4 of the width",
  );
  assert.equal(formatRung(lowestRung([])), "top");
});

Deno.test("secondsBack() is 0 when nothing changed and the frame rate held", () => {
  assert.equal(secondsBack({ from: 1000, samples: readings(0, 10_000), adaptations: [] }), 0);
});

Deno.test("secondsBack() waits for the frame rate to come back and hold for 1 s", () => {
  // Low until 3 s after the end, one good reading at 1.5 s in between.
  const samples = readings(0, 20_000, (t) => ({
    fps: t >= 10_000 && t < 13_000 && t !== 11_500 ? 20 : 30,
  }));
  assert.equal(secondsBack({ from: 10_000, samples, adaptations: [] }), 3);
});

Deno.test("secondsBack() waits for quality 80 and every frame, whatever the frame rate", () => {
  const samples = readings(0, 20_000);
  const adaptations: Adaptation[] = [
    { at: 9_000, quality: 50, widthScale: 1 },
    { at: 11_000, fpsScale: 2 / 3 },
    { at: 14_000, fpsScale: 1 },
    { at: 16_100, quality: 80, widthScale: 1 },
  ];
  assert.equal(secondsBack({ from: 10_000, samples, adaptations }), 6.25);
});

Deno.test("secondsBack() is undefined when not back before the readings end", () => {
  const samples = readings(0, 20_000, (t) => ({ fps: t < 19_500 ? 10 : 30 }));
  assert.equal(secondsBack({ from: 10_000, samples, adaptations: [] }), undefined);
  const adaptations: Adaptation[] = [{ at: 9_000, quality: 20, widthScale: 1 }];
  assert.equal(secondsBack({ from: 10_000, samples: readings(0, 20_000), adaptations }), undefined);
});

Deno.test("summarizeTransient() counts frames lost from the start to 10 s after the end", () => {
  const samples = readings(0, 40_000, (t) => ({
    framesDropped: t < 10_000 ? 2 : t < 12_000 ? 5 : t < 25_000 ? 9 : 14,
    fps: t >= 11_000 && t < 14_000 ? 15 : 30,
  }));
  // The viewer read 30 fps but for the 2 s of the transient and 1 s after.
  const partTimes: number[] = [];
  for (let i = 0; i < 1200; i++) {
    const t = (i * 1000) / 30;
    if (t < 10_000 || t >= 13_000) partTimes.push(t);
  }
  const result = summarizeTransient({
    id: "blackout",
    label: "2 s blackout",
    startAt: 10_000,
    endAt: 12_000,
    samples,
    adaptations: [{ at: 10_500, quality: 65, widthScale: 1 }, {
      at: 13_500,
      quality: 80,
      widthScale: 1,
    }],
    partTimes,
  });
  assert.equal(result.framesLost, 7);
  assert.equal(result.viewerMissed, 90);
  assert.equal(result.secondsBack, 2);
  assert.equal(result.watchedSeconds, 28);
  assert.deepEqual(result.lowest, { quality: 65, widthScale: 1, fpsScale: 1 });
  assert.equal(result.queueSeconds, undefined);
  assert.deepEqual(judgeTransient(result), { target: "back within 10 s", met: true });
});

Deno.test("summarizeTransient() says how long a step in delay read as a queue", () => {
  const samples = readings(0, 30_000, (t) => ({
    queueDelayMs: t >= 10_000 && t < 11_500 ? 48 : t >= 20_000 && t < 20_500 ? 45 : 3,
  }));
  assert.equal(queueSeconds(samples, 10_000), 2);
  const result = summarizeTransient({
    id: "delay-step",
    label: "+50 ms",
    startAt: 10_000,
    endAt: 10_000,
    samples,
    adaptations: [],
    partTimes: [],
    delayStep: true,
  });
  assert.equal(result.queueSeconds, 2);
  assert.equal(result.adapted, false);
  assert.deepEqual(judgeTransient(result), {
    target: "back within 10 s, read as congestion <= 2 s",
    met: true,
  });
  const longer = { ...result, queueSeconds: 2.25, adapted: true };
  assert.equal(judgeTransient(longer).met, false);
  assert.equal(judgeTransient({ ...result, secondsBack: undefined }).met, false);
});
