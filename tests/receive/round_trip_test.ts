import assert from "node:assert/strict";
import { RoundTrip } from "../../lib/receive/round_trip.ts";

/** An answer: [echo time, sender time, received at]. */
type Answer = [number, number, number];

Deno.test("RoundTrip measures the round trip, its smoothed value and the clock offset", () => {
  const cases: Array<{
    name: string;
    answers: Answer[];
    rttMs: number | undefined;
    srttMs: number | undefined;
    clockOffsetMs: number;
  }> = [
    { name: "nothing yet", answers: [], rttMs: undefined, srttMs: undefined, clockOffsetMs: 0 },
    {
      name: "one answer: the offset from its midpoint",
      answers: [[1000, 6005, 1010]],
      rttMs: 10,
      srttMs: 10,
      clockOffsetMs: 5000,
    },
    {
      name: "a longer round trip is smoothed in, with the least of the last three",
      answers: [[0, 5005, 10], [100, 5120, 140]],
      rttMs: 40,
      srttMs: 10,
      clockOffsetMs: 5000,
    },
    {
      name: "the offset comes from the round trip with the least delay",
      answers: [[0, 5010, 20], [100, 5104, 108], [200, 5230, 260]],
      rttMs: 60,
      srttMs: 8,
      clockOffsetMs: 5000,
    },
    {
      name: "a round trip far below the smoothed one replaces it",
      answers: [[0, 0, 100], [1000, 1000, 1100], [2000, 2000, 2100], [3000, 3000, 3001]],
      rttMs: 1,
      srttMs: 1,
      clockOffsetMs: -0.5,
    },
    {
      name: "a round trip below 0 or over a minute is ignored",
      answers: [[100, 5100, 90], [0, 0, 60_001]],
      rttMs: undefined,
      srttMs: undefined,
      clockOffsetMs: 0,
    },
  ];
  for (const { name, answers, rttMs, srttMs, clockOffsetMs } of cases) {
    const roundTrip = new RoundTrip();
    for (const [echo, sender, now] of answers) roundTrip.measure(echo, sender, now);
    assert.equal(roundTrip.rttMs, rttMs, name);
    assert.equal(roundTrip.srttMs, srttMs, name);
    assert.equal(roundTrip.clockOffsetMs, clockOffsetMs, name);
  }
});

Deno.test("RoundTrip.forgetSamples() keeps the values but chooses the offset afresh", () => {
  const roundTrip = new RoundTrip();
  roundTrip.measure(0, 5000, 2);
  roundTrip.forgetSamples();
  assert.equal(roundTrip.clockOffsetMs, 4999);
  assert.equal(roundTrip.rttMs, 2);
  roundTrip.measure(100, 7100, 150);
  // Only the new session's answer counts now, though its round trip is longer.
  assert.equal(roundTrip.clockOffsetMs, 6975);
});
