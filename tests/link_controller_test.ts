import assert from "node:assert/strict";
import { LinkController, type LinkReport, type LinkStep } from "../lib/link_controller.ts";

const CLEAN: LinkReport = { lossFraction: 0, framesLostFraction: 0, queueDelayMs: 2 };
const LOSSY: LinkReport = { lossFraction: 0.2, framesLostFraction: 0, queueDelayMs: 2 };
/** Neither clean nor congested. */
const FAIR: LinkReport = { lossFraction: 0.05, framesLostFraction: 0, queueDelayMs: 2 };

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
    controller.level += step === "down" ? 1 : -1;
  }
  return steps;
}

Deno.test("LinkController.update() steps down after two congested reports in a row, not one", () => {
  const cases: Array<[string, LinkReport[], Array<LinkStep | undefined>]> = [
    ["one congested report", [LOSSY], [undefined]],
    ["two congested reports", [LOSSY, LOSSY], [undefined, "down"]],
    ["congested, clean, congested", [LOSSY, CLEAN, LOSSY], [undefined, undefined, undefined]],
    ["congested, fair, congested", [LOSSY, FAIR, LOSSY], [undefined, undefined, undefined]],
    ["fair reports", [FAIR, FAIR, FAIR], [undefined, undefined, undefined]],
  ];
  for (const [name, reports, expected] of cases) {
    const controller = new LinkController({ levels: 5 });
    const steps = reports.map((report, i) => controller.update(report, i * EVERY));
    assert.deepEqual(steps, expected, name);
    assert.equal(controller.level, 0, `${name}: update() leaves the level to the caller`);
  }
});

Deno.test("LinkController.update() tells congested from clean by each threshold", () => {
  const report = (fields: Partial<LinkReport>): LinkReport => ({ ...CLEAN, ...fields });
  const cases: Array<[LinkReport, "congested" | "clean" | "neither"]> = [
    [report({ lossFraction: 0.16 }), "congested"],
    [report({ lossFraction: 0.15 }), "neither"],
    [report({ lossFraction: 0.02 }), "neither"],
    [report({ lossFraction: 0.019 }), "clean"],
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
    // Congested: two in a row step down.
    const down = new LinkController({ levels: 3 });
    const downSteps = [down.update(r, 0), down.update(r, EVERY)];
    assert.equal(downSteps[1] === "down", expected === "congested", name);
    // Clean: five seconds of them step up.
    const up = new LinkController({ levels: 3, level: 1 });
    const upSteps = drive(up, () => r, 0, 5001);
    assert.equal(upSteps.length === 1 && upSteps[0][1] === "up", expected === "clean", name);
  }
});

Deno.test("LinkController.update() ignores reports for holdMs after a step down", () => {
  const controller = new LinkController({ levels: 10 });
  const lossyUntil = 3000;
  const steps = drive(controller, (now) => (now < lossyUntil ? LOSSY : CLEAN), 0, 9000);
  // Down at 250; 500 to 1000 ignored; counting restarts at 1250, down at 1500;
  // 1750 to 2250 ignored; down at 2750; clean from 3750 (end of hold), up 5 s later.
  assert.deepEqual(steps, [[250, "down"], [1500, "down"], [2750, "down"], [8750, "up"]]);
});

Deno.test("LinkController.update() steps up after 5 s of clean reports only", () => {
  const cases: Array<[string, (now: number) => LinkReport, Array<[number, LinkStep]>]> = [
    ["clean throughout", () => CLEAN, [[5000, "up"], [10000, "up"]]],
    ["one fair report restarts the clock", (now) => (now === 2000 ? FAIR : CLEAN), [
      [7250, "up"],
      [12250, "up"],
    ]],
    ["one congested report restarts the clock", (now) => (now === 2000 ? LOSSY : CLEAN), [
      [7250, "up"],
      [12250, "up"],
    ]],
    ["never clean", () => FAIR, []],
  ];
  for (const [name, report, expected] of cases) {
    const controller = new LinkController({ levels: 5, level: 2 });
    assert.deepEqual(drive(controller, report, 0, 13000), expected, name);
    if (expected.length > 0) assert.equal(controller.reason, "clean for 5 s", name);
  }
});

Deno.test("LinkController doubles the wait after a failed probe and halves it after one that holds", () => {
  const controller = new LinkController({ levels: 5, level: 1 });
  assert.equal(controller.upAfterMs, 5000);
  // Up at 5000; lossy at level 0 again: down at 5500, within probeMs of the up.
  const first = drive(controller, (_, level) => (level === 0 ? LOSSY : CLEAN), 0, 6000);
  assert.deepEqual(first, [[5000, "up"], [5500, "down"]]);
  assert.equal(controller.upAfterMs, 10_000);
  // Hold until 6500, then 10 s clean: up at 16500. The link now fits level 0.
  const second = drive(controller, () => CLEAN, 6000, 21_500);
  assert.deepEqual(second, [[16_500, "up"]]);
  assert.equal(controller.upAfterMs, 10_000, "the probe has not held for probeMs yet");
  drive(controller, () => CLEAN, 21_500, 21_750);
  assert.equal(controller.upAfterMs, 5000, "the probe held: back to the initial wait");
  assert.equal(controller.level, 0);
});

Deno.test("LinkController caps the wait at maxUpAfterMs and never halves it below upAfterMs", () => {
  const controller = new LinkController({ levels: 3, level: 1, maxUpAfterMs: 20_000 });
  let now = 0;
  /** Reports until the controller asks for `wanted`, applies it and returns the wait then. */
  const until = (wanted: LinkStep, report: (level: number) => LinkReport): number => {
    for (;; now += EVERY) {
      const step = controller.update(report(controller.level), now);
      if (step === undefined) continue;
      controller.level += step === "down" ? 1 : -1;
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
  assert.deepEqual(waits, [10_000, 20_000, 20_000, 20_000]);
  // Probes that hold bring the wait down again, but not below the initial 5 s.
  const halves: number[] = [];
  for (let probe = 0; probe < 3; probe++) {
    until("up", () => CLEAN);
    controller.level = 1;
    // The next report after probeMs settles the probe.
    const settled = now + 5000;
    while (now <= settled) controller.update(FAIR, now += EVERY);
    halves.push(controller.upAfterMs);
  }
  assert.deepEqual(halves, [10_000, 5000, 5000]);
});

Deno.test("LinkController stays within level 0 and levels - 1", () => {
  const controller = new LinkController({ levels: 3 });
  const down = drive(controller, () => LOSSY, 0, 30_000);
  assert.deepEqual(down.map(([, step]) => step), ["down", "down"]);
  assert.equal(controller.level, 2);
  const up = drive(controller, () => CLEAN, 30_000, 90_000);
  assert.deepEqual(up.map(([, step]) => step), ["up", "up"]);
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
  let changesAfterSettling = 0;
  let settled = false;
  let atLevel2 = 0;
  const ups: number[] = [];
  for (let now = 0; now < end; now += EVERY) {
    const report = controller.level < 2 ? LOSSY : CLEAN;
    const step = controller.update(report, now);
    if (step !== undefined) {
      controller.level += step === "down" ? 1 : -1;
      changes++;
      if (settled) changesAfterSettling++;
      if (step === "up") ups.push(now);
    }
    if (controller.level === 2) {
      settled = true;
      atLevel2 += EVERY;
    }
    assert.ok(controller.level <= 2, "never steps below the rung that fits");
  }
  // Two steps to find level 2, then probes of level 1 ever further apart:
  // waits of 5, 10, 20 and 40 s fit in 120 s, two changes each.
  assert.ok(changes <= 10, `${changes} level changes`);
  assert.ok(changesAfterSettling <= 8, `${changesAfterSettling} level changes after settling`);
  for (let i = 2; i < ups.length; i++) {
    assert.ok(ups[i] - ups[i - 1] > 1.5 * (ups[i - 1] - ups[i - 2]), `probes at ${ups}`);
  }
  assert.ok(atLevel2 / end > 0.95, `${atLevel2} ms of ${end} at level 2`);
});

Deno.test("LinkController.reason names what was congested", () => {
  const cases: Array<[Partial<LinkReport>, string]> = [
    [{ lossFraction: 0.2 }, "loss 20%"],
    [{ framesLostFraction: 0.05 }, "frames lost 5%"],
    [{ queueDelayMs: 85.4 }, "queue delay 85 ms"],
    [{ lossFraction: 0.3, queueDelayMs: 120 }, "loss 30%, queue delay 120 ms"],
  ];
  for (const [fields, reason] of cases) {
    const controller = new LinkController({ levels: 3 });
    assert.equal(controller.reason, "");
    const report = { ...CLEAN, ...fields };
    controller.update(report, 0);
    assert.equal(controller.update(report, EVERY), "down");
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
