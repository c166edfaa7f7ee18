import assert from "node:assert/strict";
import { LinkController, type LinkStep, stepsFor } from "../../lib/adapt/link_controller.ts";
import type { LinkReport } from "../../lib/adapt/link_report.ts";

const CLEAN: LinkReport = { lossFraction: 0, framesLostFraction: 0, queueDelayMs: 2 };
const LOSSY: LinkReport = { lossFraction: 0.2, framesLostFraction: 0, queueDelayMs: 2 };
/** Neither clean nor congested: a frame lost now and then. */
const FAIR: LinkReport = { lossFraction: 0.05, framesLostFraction: 0.01, queueDelayMs: 2 };
/** Loss that recovery repairs: clean. */
const REPAIRED: LinkReport = { lossFraction: 0.1, framesLostFraction: 0, queueDelayMs: 2 };
const QUEUED: LinkReport = { lossFraction: 0, framesLostFraction: 0, queueDelayMs: 85 };

/** The interval between two reports of a receiver, in ms. */
const EVERY = 250;

/**
 * Feeds one report every 250 ms from `from` (included) to `to` (excluded),
 * applies each step to the level, and returns the steps with their times.
 */
function drive(
  controller: LinkController,
  report: (now: number, level: number) => LinkReport,
  from: number,
  to: number,
): Array<[number, LinkStep]> {
  const steps: Array<[number, LinkStep]> = [];
  for (let now = from; now < to; now += EVERY) {
    const step = controller.update(report(now, controller.level), now);
    if (step === undefined) continue;
    steps.push([now, step]);
    controller.level = controller.step;
  }
  return steps;
}

Deno.test("LinkController.update() steps down only when two consecutive windows show loss", () => {
  const cases: Array<[string, (now: number) => LinkReport, Array<[number, LinkStep]>]> = [
    ["one congested report", (now) => (now === 0 ? LOSSY : CLEAN), []],
    ["congested for one window", (now) => (now < 1000 ? LOSSY : CLEAN), []],
    ["congested throughout", () => LOSSY, [[1000, "down"]]],
    ["congested, a clean window, congested", (now) => (now < 750 || now >= 1750 ? LOSSY : CLEAN), [
      [2750, "down"],
    ]],
    ["congested in two windows a window apart", (now) => (now % 1000 === 0 ? LOSSY : CLEAN), [
      [1000, "down"],
    ]],
    ["fair reports", () => FAIR, []],
    ["loss that recovery repairs", () => REPAIRED, []],
  ];
  for (const [name, report, expected] of cases) {
    const controller = new LinkController({ levels: 5 });
    const steps: Array<[number, LinkStep]> = [];
    for (let now = 0; now < 3000; now += EVERY) {
      const step = controller.update(report(now), now);
      if (step !== undefined) steps.push([now, step]);
    }
    assert.deepEqual(steps, expected, name);
    assert.equal(controller.level, 0, `${name}: update() leaves the level to the caller`);
  }
});

Deno.test("LinkController never steps down for one burst, however large", () => {
  // A receiver or sender paused for 1 s, or a 2 s blackout: everything in
  // flight is lost at once, and the reports over the next second say so.
  const burst: LinkReport = { lossFraction: 1, framesLostFraction: 1, queueDelayMs: 900 };
  for (const at of [0, 125, 250, 5000]) {
    const controller = new LinkController({ levels: 5 });
    const steps = drive(
      controller,
      (now) => (now >= at && now < at + 1000 ? burst : CLEAN),
      0,
      20_000,
    );
    assert.deepEqual(steps, [], `burst at ${at}`);
  }
});

Deno.test("LinkController.update() tells congested from clean by each threshold", () => {
  const report = (fields: Partial<LinkReport>): LinkReport => ({ ...CLEAN, ...fields });
  const cases: Array<[LinkReport, "congested" | "clean" | "neither"]> = [
    [report({ lossFraction: 0.16 }), "congested"],
    [report({ lossFraction: 0.15 }), "clean"],
    [report({ lossFraction: 0.1 }), "clean"],
    [report({ framesLostFraction: 0.03 }), "congested"],
    [report({ framesLostFraction: 0.02 }), "neither"],
    [report({ framesLostFraction: 0.001 }), "neither"],
    [report({ queueDelayMs: 41 }), "congested"],
    [report({ queueDelayMs: 40 }), "neither"],
    [report({ queueDelayMs: 10 }), "neither"],
    [report({ queueDelayMs: 9 }), "clean"],
  ];
  for (const [r, expected] of cases) {
    const name = JSON.stringify(r);
    // Congested: down within 2 s (queueing alone takes that long).
    const down = new LinkController({ levels: 3 });
    const downSteps = drive(down, () => r, 0, 2001);
    assert.equal(
      downSteps.length === 1 && downSteps[0][1] === "down",
      expected === "congested",
      name,
    );
    // Clean: three seconds of them step up.
    const up = new LinkController({ levels: 3, level: 1 });
    const upSteps = drive(up, () => r, 0, 3001);
    assert.equal(upSteps.length === 1 && upSteps[0][1] === "up", expected === "clean", name);
  }
});

Deno.test("LinkController steps down for queueing delay only once it lasts 2 s", () => {
  const cases: Array<[number, number | undefined]> = [[1500, undefined], [1750, undefined], [
    2250,
    2000,
  ]];
  for (const [lasting, expected] of cases) {
    const controller = new LinkController({ levels: 5 });
    const steps = drive(controller, (now) => (now < lasting ? QUEUED : CLEAN), 0, 5000);
    assert.deepEqual(steps, expected === undefined ? [] : [[expected, "down"]], `${lasting} ms`);
  }
  const controller = new LinkController({ levels: 5 });
  drive(controller, () => QUEUED, 0, 2001);
  assert.equal(controller.reason, "queue delay 85 ms for 2.0 s");
});

Deno.test("LinkController.update() ignores reports for holdMs after a step down", () => {
  const controller = new LinkController({ levels: 10 });
  const steps = drive(controller, (now) => (now < 4000 ? LOSSY : CLEAN), 0, 9000);
  // Down at 1000; 1250 to 1750 ignored; the windows start again at 2000, down
  // at 3000; hold to 4000, clean from then: 3 s later up a rung, and the
  // next once the window after it is clean.
  assert.deepEqual(steps, [[1000, "down"], [3000, "down"], [7000, "up"], [8000, "up"]]);
  assert.equal(controller.level, 0);
});

Deno.test("LinkController steps up after 3 s of clean reports only", () => {
  const cases: Array<[string, (now: number) => LinkReport, Array<[number, LinkStep]>]> = [
    ["clean throughout", () => CLEAN, [[3000, "up"], [4000, "up"]]],
    ["repaired loss throughout", () => REPAIRED, [[3000, "up"], [4000, "up"]]],
    ["one fair report restarts the clock", (now) => (now === 2000 ? FAIR : CLEAN), [
      [5250, "up"],
      [6250, "up"],
    ]],
    ["one congested report restarts the clock", (now) => (now === 2000 ? LOSSY : CLEAN), [
      [5250, "up"],
      [6250, "up"],
    ]],
    ["never clean", () => FAIR, []],
  ];
  for (const [name, report, expected] of cases) {
    const controller = new LinkController({ levels: 5, level: 2 });
    const reasons: string[] = [];
    const steps: Array<[number, LinkStep]> = [];
    for (let now = 0; now < 9000; now += EVERY) {
      const step = controller.update(report(now), now);
      if (step === undefined) continue;
      steps.push([now, step]);
      reasons.push(controller.reason);
      controller.level = controller.step;
    }
    assert.deepEqual(steps, expected, name);
    if (expected.length > 0) {
      assert.deepEqual(reasons, ["clean for 3 s", "clean since the last step"], name);
    }
  }
});

Deno.test("LinkController climbs back within 5 s of a transient's end", () => {
  const controller = new LinkController({ levels: 10, level: 1 });
  // Congested from 10 s to 16 s: down three rungs, then clean.
  const steps = drive(
    controller,
    (now) => (now >= 10_000 && now < 16_000 ? LOSSY : CLEAN),
    0,
    30_000,
  );
  const downs = steps.filter(([, step]) => step === "down");
  assert.ok(downs.length >= 2, `${steps}`);
  const ups = steps.filter(([, step]) => step === "up" && step !== undefined);
  // Started at level 1: clean at level 1 earns a step to 0 at 3 s. The
  // transient: down at 11, 13 and 15 s, hold until 16 s, then 3 s clean and
  // a rung up, then two a second later, back at level 0 within 5 s of its end.
  assert.deepEqual(ups.map(([at]) => at), [3000, 19_000, 20_000]);
  assert.equal(controller.level, 0);
});

Deno.test("LinkController climbs twice as many rungs as the step that held, so a deep fall is back in 6 s", () => {
  const controller = new LinkController({ levels: 11 });
  controller.level = 10;
  // Clean from 0: one rung at 3 s, then 2, 4 and the last 3 a window apart.
  const levels: number[] = [];
  const steps = drive(
    controller,
    () => {
      levels.push(controller.level);
      return CLEAN;
    },
    0,
    10_000,
  );
  assert.deepEqual(steps.map(([at]) => at), [3000, 4000, 5000, 6000]);
  assert.deepEqual([...new Set(levels)], [10, 9, 7, 3, 0]);
  assert.equal(controller.level, 0);
  // A two-rung probe that fails goes back to where it came from; the climb
  // after the doubled wait climbs one rung, and stops below the failed one.
  const again = new LinkController({ levels: 11, level: 6 });
  const back = drive(again, (_, level) => (level <= 3 ? LOSSY : CLEAN), 0, 14_000);
  assert.deepEqual(back, [[3000, "up"], [4000, "up"], [4250, "down"], [11_250, "up"]]);
  assert.equal(again.level, 4);
});

Deno.test("LinkController sends a failed probe straight back, doubles the wait, and halves it after one that holds", () => {
  const controller = new LinkController({ levels: 5, level: 3 });
  assert.equal(controller.upAfterMs, 3000);
  // Up at 3000 to level 2; congested at level 2 and above: the first report
  // after the probe fails it, at 3250, back to level 3.
  const first = drive(controller, (_, level) => (level <= 2 ? LOSSY : CLEAN), 0, 5000);
  assert.deepEqual(first, [[3000, "up"], [3250, "down"]]);
  assert.equal(controller.level, 3);
  assert.match(controller.reason, /^probe failed: loss 20%/);
  assert.equal(controller.upAfterMs, 6000);
  // Hold until 4250, then 6 s clean: up at 10250. The link now fits level 2:
  // a clean window confirms that probe, the wait halves, and the climb goes
  // on to level 1, which fails again.
  const second = drive(controller, (_, level) => (level <= 1 ? LOSSY : CLEAN), 5000, 14_000);
  assert.deepEqual(second, [[10_250, "up"], [11_250, "up"], [11_500, "down"]]);
  assert.equal(controller.level, 2);
  assert.equal(controller.upAfterMs, 6000, "halved to 3 s by the probe that held, doubled again");
});

Deno.test("LinkController keeps the wait when it climbs back under a probe that failed", () => {
  // The link fits level 3, not 2.
  const fits3 = (_: number, level: number) => (level <= 2 ? LOSSY : CLEAN);
  const controller = new LinkController({ levels: 8, level: 3 });
  assert.deepEqual(drive(controller, fits3, 0, 4000), [[3000, "up"], [3250, "down"]]);
  assert.equal(controller.upAfterMs, 6000);
  // A step too far down (as a multi-rung step can be), then the climb back to 3.
  controller.level = 4;
  const back = drive(controller, fits3, 4000, 11_500);
  assert.deepEqual(back, [[10_250, "up"]]);
  drive(controller, fits3, 11_500, 11_750);
  assert.equal(controller.level, 3);
  assert.equal(controller.upAfterMs, 6000, "back under the failed probe: the wait stands");
  // The next probe of level 2 fails again: the wait doubles on.
  const again = drive(controller, fits3, 11_750, 20_000);
  assert.deepEqual(again, [[16_250, "up"], [16_500, "down"]], "6 s after the last step up");
  assert.equal(controller.upAfterMs, 12_000);
});

Deno.test("LinkController caps the wait at maxUpAfterMs and never halves it below upAfterMs", () => {
  const controller = new LinkController({ levels: 3, level: 1, maxUpAfterMs: 20_000 });
  let now = 0;
  /** Reports until the controller asks for `wanted`, applies it and returns the wait then. */
  const until = (wanted: LinkStep, report: (level: number) => LinkReport): number => {
    for (;; now += EVERY) {
      const step = controller.update(report(controller.level), now);
      if (step === undefined) continue;
      controller.level = controller.step;
      assert.equal(step, wanted, `at ${now}`);
      now += EVERY;
      return controller.upAfterMs;
    }
  };
  const fitsLevel1 = (level: number) => (level === 0 ? LOSSY : CLEAN);
  const waits: number[] = [];
  for (let probe = 0; probe < 4; probe++) {
    until("up", fitsLevel1);
    waits.push(until("down", fitsLevel1));
  }
  assert.deepEqual(waits, [6000, 12_000, 20_000, 20_000]);
  // Probes a clean window confirms bring the wait down again, but not below
  // the initial 3 s; one neither confirmed nor failed within probeMs changes nothing.
  const halves: number[] = [];
  for (let probe = 0; probe < 4; probe++) {
    until("up", () => CLEAN);
    // The first report a window after the step confirms it.
    const confirmed = now + 1000;
    while (now <= confirmed) controller.update(CLEAN, now += EVERY);
    halves.push(controller.upAfterMs);
    controller.level = 1;
  }
  assert.deepEqual(halves, [10_000, 5000, 3000, 3000]);
  controller.update(CLEAN, now += 60_000);
  const wait = controller.upAfterMs;
  until("up", () => CLEAN);
  const settled = now + 10_000;
  while (now <= settled) controller.update(FAIR, now += EVERY);
  assert.equal(controller.upAfterMs, wait, "a probe that only ever read fair leaves the wait");
});

Deno.test("LinkController stays within level 0 and levels - 1", () => {
  const controller = new LinkController({ levels: 3 });
  const down = drive(controller, () => LOSSY, 0, 30_000);
  assert.deepEqual(down.map(([, step]) => step), ["down", "down"]);
  assert.equal(controller.level, 2);
  const up = drive(controller, () => CLEAN, 30_000, 90_000);
  assert.deepEqual(up.map(([at, step]) => [at, step]), [[33_000, "up"], [34_000, "up"]]);
  assert.equal(controller.level, 0);
  controller.level = 10;
  assert.equal(controller.level, 2);
  controller.level = -1;
  assert.equal(controller.level, 0);
  assert.throws(() => (controller.level = 1.5), RangeError);
  assert.equal(new LinkController({ levels: 3, level: 7 }).level, 2);
  const single = new LinkController({ levels: 1 });
  assert.deepEqual(drive(single, (now) => (now < 5000 ? LOSSY : CLEAN), 0, 20_000), []);
  assert.throws(() => new LinkController({ levels: 0 }), RangeError);
});

Deno.test("LinkController does not oscillate on a link that fits level 2 but not level 1", () => {
  const controller = new LinkController({ levels: 10 });
  const end = 120_000;
  let changes = 0;
  let atLevel2 = 0;
  const ups: number[] = [];
  for (let now = 0; now < end; now += EVERY) {
    const report = controller.level < 2 ? LOSSY : CLEAN;
    const step = controller.update(report, now);
    if (step !== undefined) {
      controller.level = controller.step;
      changes++;
      if (step === "up") ups.push(now);
    }
    if (controller.level === 2) atLevel2 += EVERY;
    assert.ok(controller.level <= 2, "never steps below the rung that fits");
  }
  // Two steps to find level 2, then probes ever further apart, each sent
  // straight back after one window: waits of 3, 6, 12, 24 and 48 s fit in 120 s.
  assert.ok(changes <= 12, `${changes} level changes`);
  for (let i = 2; i < ups.length; i++) {
    assert.ok(ups[i] - ups[i - 1] > 1.5 * (ups[i - 1] - ups[i - 2]), `probes at ${ups}`);
  }
  assert.ok(atLevel2 / end > 0.9, `${atLevel2} ms of ${end} at level 2`);
});

Deno.test("stepsFor() goes down more rungs the more a link loses, up to 3", () => {
  const cases: Array<[number, number]> = [
    [0, 1],
    [0.1, 1],
    [0.2, 1],
    [0.3, 2],
    [0.45, 3],
    [0.66, 3],
    [1, 3],
    [NaN, 1],
  ];
  for (const [loss, rungs] of cases) assert.equal(stepsFor(loss), rungs, `loss ${loss}`);
  const controller = new LinkController({ levels: 10 });
  const steps = drive(controller, () => ({ ...LOSSY, lossFraction: 0.5 }), 0, 1001);
  assert.deepEqual(steps, [[1000, "down"]]);
  assert.equal(controller.level, 3, "half the datagrams lost: three rungs at once");
});

Deno.test("LinkController.reason names what was congested, with its evidence", () => {
  const cases: Array<[Partial<LinkReport>, string]> = [
    [{ lossFraction: 0.2 }, "loss 20%, then loss 20%"],
    [{ framesLostFraction: 0.05 }, "frames lost 5%, then frames lost 5%"],
    [{ queueDelayMs: 85.4 }, "queue delay 85 ms for 2.0 s"],
    [
      { lossFraction: 0.3, queueDelayMs: 120 },
      "loss 30%, queue delay 120 ms, then loss 30%, queue delay 120 ms",
    ],
  ];
  for (const [fields, reason] of cases) {
    const controller = new LinkController({ levels: 3 });
    assert.equal(controller.reason, "");
    const report = { ...CLEAN, ...fields };
    const steps = drive(controller, () => report, 0, 2001);
    assert.equal(steps[0]?.[1], "down");
    assert.equal(controller.reason, reason);
  }
});

Deno.test("LinkController.update() rejects a report with a negative or missing number", () => {
  const controller = new LinkController({ levels: 3 });
  for (
    const report of [
      { ...CLEAN, lossFraction: -0.1 },
      { ...CLEAN, framesLostFraction: NaN },
      { ...CLEAN, queueDelayMs: -1 },
    ]
  ) {
    assert.throws(() => controller.update(report, 0), RangeError, JSON.stringify(report));
  }
});
