import assert from "node:assert/strict";
import { Adaptation, type AdaptationChange } from "../../lib/adapt/adaptation.ts";
import type { LinkReport } from "../../lib/adapt/link_report.ts";
import { buildLadder } from "../../lib/adapt/rate_ladder.ts";

const CLEAN: LinkReport = { lossFraction: 0, framesLostFraction: 0, queueDelayMs: 2 };
const LOSSY: LinkReport = { lossFraction: 0.2, framesLostFraction: 0, queueDelayMs: 2 };
/** Neither clean nor congested. */
const FAIR: LinkReport = { lossFraction: 0.05, framesLostFraction: 0, queueDelayMs: 2 };

/** 80, 65, 50, 35, 20; then fps 9/10, 5/6, 2/3, 1/2, 1/3; then width 3/4, 1/2. */
const LADDER = buildLadder({ quality: 80, reencode: true });
/** The first rung that lowers the frame rate. */
const FIRST_FPS_RUNG = 5;
const EVERY = 250;

/** A test adaptation that records its changes. */
function setup(): { adaptation: Adaptation; changes: AdaptationChange[] } {
  const changes: AdaptationChange[] = [];
  const adaptation = new Adaptation({ ladder: LADDER, onChange: (c) => changes.push(c) });
  return { adaptation, changes };
}

/**
 * Sends each receiver's report every 250 ms from `from` to `to` (excluded);
 * `check` runs after every report.
 */
function feed(
  adaptation: Adaptation,
  links: Record<string, (now: number) => LinkReport>,
  from: number,
  to: number,
  check: (now: number) => void = () => {},
): void {
  for (let now = from; now < to; now += EVERY) {
    for (const [receiver, link] of Object.entries(links)) {
      adaptation.update(receiver, link(now), now);
      check(now);
    }
  }
}

Deno.test("Adaptation starts at level 0 with no receivers", () => {
  const { adaptation } = setup();
  assert.equal(adaptation.level, 0);
  assert.deepEqual(adaptation.shared, LADDER[0]);
  assert.deepEqual(adaptation.rungFor("nobody"), LADDER[0]);
  assert.throws(() => new Adaptation({ ladder: [] }), RangeError);
});

Deno.test("Adaptation with one receiver follows that receiver's level", () => {
  const { adaptation, changes } = setup();
  const levels = new Set<number>();
  const link = (now: number) => (now < 6000 ? LOSSY : CLEAN);
  feed(adaptation, { a: link }, 0, 60_000, () => {
    assert.equal(adaptation.level, adaptation.levelOf("a"));
    assert.deepEqual(adaptation.rungFor("a"), LADDER[adaptation.level]);
    assert.deepEqual(adaptation.shared, LADDER[adaptation.level]);
    levels.add(adaptation.level);
  });
  // Down at 1, 3 and 5 s (one rung at a time, each on two windows of loss),
  // then back up 3 s after the loss ends, a rung, then two a second later.
  assert.deepEqual([...levels], [0, 1, 2, 3]);
  assert.equal(adaptation.level, 0);
  assert.deepEqual(changes.map((c) => [c.type, c.to.quality, c.reason]), [
    ["shared", 65, "loss 20%, then loss 20%"],
    ["shared", 50, "loss 20%, then loss 20%"],
    ["shared", 35, "loss 20%, then loss 20%"],
    ["shared", 50, "clean for 3 s"],
    ["shared", 80, "clean since the last step"],
  ]);
});

Deno.test("Adaptation gives a bad link among two fewer frames, not a worse picture for both", () => {
  const { adaptation, changes } = setup();
  const visited = new Set<number>();
  feed(adaptation, { a: () => CLEAN, b: () => LOSSY }, 0, 20_000, () => {
    assert.equal(adaptation.level, 0, "the better of two sets the shared level");
    visited.add(adaptation.levelOf("b"));
  });
  assert.equal(adaptation.levelOf("a"), 0);
  assert.deepEqual(adaptation.rungFor("a"), LADDER[0]);
  const b = adaptation.rungFor("b");
  assert.equal(b.quality, 80);
  assert.equal(b.widthScale, 1);
  assert.ok(b.fpsScale < 1);
  for (const level of visited) {
    assert.ok(level === 0 || level >= FIRST_FPS_RUNG, `b lingered on quality rung ${level}`);
  }
  assert.ok(changes.every((c) => c.type === "receiver" && c.receiver === "b"));
  assert.deepEqual(changes[0], {
    type: "receiver",
    receiver: "b",
    from: { quality: 80, fpsScale: 1, widthScale: 1 },
    to: { quality: 80, fpsScale: 9 / 10, widthScale: 1 },
    level: FIRST_FPS_RUNG,
    reason: "loss 20%, then loss 20%",
  });
  assert.deepEqual(changes.map((c) => c.to.fpsScale), [9 / 10, 5 / 6, 2 / 3, 1 / 2, 1 / 3]);
});

Deno.test("Adaptation returns a recovered receiver to full frame rate and level 0", () => {
  const { adaptation, changes } = setup();
  feed(adaptation, { a: () => CLEAN, b: (now) => (now < 5000 ? LOSSY : CLEAN) }, 0, 60_000);
  assert.equal(adaptation.levelOf("b"), 0);
  assert.deepEqual(adaptation.rungFor("b"), LADDER[0]);
  const ups = changes.filter((c) => c.reason.startsWith("clean"));
  assert.deepEqual(ups.map((c) => c.to.fpsScale), [9 / 10, 1], "a rung, then the rest");
  assert.equal(ups[ups.length - 1].level, 0);
});

Deno.test("Adaptation keeps the picture of three receivers when only one link is bad", () => {
  const { adaptation, changes } = setup();
  feed(adaptation, { a: () => CLEAN, b: () => CLEAN, c: () => LOSSY }, 0, 20_000, () => {
    assert.equal(adaptation.level, 0);
  });
  assert.deepEqual(adaptation.rungFor("a"), LADDER[0]);
  assert.deepEqual(adaptation.rungFor("b"), LADDER[0]);
  assert.ok(adaptation.rungFor("c").fpsScale < 1);
  assert.ok(changes.every((c) => c.type === "receiver" && c.receiver === "c"));
});

Deno.test("Adaptation lowers the shared quality when most links are bad", () => {
  const { adaptation, changes } = setup();
  feed(adaptation, { a: () => CLEAN, b: () => LOSSY, c: () => LOSSY }, 0, 10_000);
  assert.ok(adaptation.level > 0);
  assert.ok(adaptation.shared.quality < 80);
  assert.deepEqual(adaptation.rungFor("a"), { ...adaptation.shared, fpsScale: 1 });
  assert.ok(changes.some((c) => c.type === "shared" && c.reason === "loss 20%, then loss 20%"));
});

Deno.test("Adaptation.remove() of a bad receiver restores the others' picture", () => {
  const { adaptation, changes } = setup();
  feed(adaptation, { a: () => CLEAN, b: () => LOSSY, c: () => LOSSY }, 0, 10_000);
  const lowered = adaptation.shared;
  changes.length = 0;
  adaptation.remove("c");
  assert.equal(adaptation.level, 0);
  assert.deepEqual(adaptation.shared, LADDER[0]);
  assert.deepEqual(adaptation.rungFor("a"), LADDER[0]);
  assert.equal(adaptation.rungFor("b").quality, 80);
  assert.deepEqual(changes, [{
    type: "shared",
    from: lowered,
    to: LADDER[0],
    level: 0,
    receiver: "c",
    reason: "receiver c left",
  }]);
  adaptation.remove("c");
  adaptation.remove("b");
  adaptation.remove("a");
  assert.equal(changes.length, 1, "nothing else changed");
  assert.equal(adaptation.level, 0);
});

Deno.test("Adaptation starts a new receiver at the shared level without changing it", () => {
  const { adaptation, changes } = setup();
  feed(adaptation, { a: () => LOSSY }, 0, 5000);
  const level = adaptation.level;
  assert.ok(level > 0);
  changes.length = 0;
  assert.equal(adaptation.levelOf("d"), level, "the level a receiver not seen yet would start at");
  for (const receiver of ["d", "e", "f"]) {
    adaptation.update(receiver, FAIR, 3000);
    assert.equal(adaptation.levelOf(receiver), level);
    assert.equal(adaptation.level, level);
  }
  assert.deepEqual(changes, []);
});

Deno.test("Adaptation on a copy-mode ladder changes only frame rates", () => {
  const changes: AdaptationChange[] = [];
  const ladder = buildLadder({ quality: 80, reencode: false });
  const adaptation = new Adaptation({ ladder, onChange: (c) => changes.push(c) });
  feed(adaptation, { a: () => ({ ...CLEAN, queueDelayMs: 85 }) }, 0, 9000);
  assert.equal(adaptation.levelOf("a"), 3);
  assert.deepEqual(adaptation.rungFor("a"), ladder[3]);
  assert.deepEqual(changes.map((c) => [c.type, c.to.fpsScale, c.reason]), [
    ["receiver", 9 / 10, "queue delay 85 ms for 2.0 s"],
    ["receiver", 5 / 6, "queue delay 85 ms for 2.0 s"],
    ["receiver", 2 / 3, "queue delay 85 ms for 2.0 s"],
  ]);
});

Deno.test("Adaptation passes controller options to every receiver", () => {
  const adaptation = new Adaptation({ ladder: LADDER, controller: { queueSustainMs: 0 } });
  adaptation.update("a", { ...CLEAN, queueDelayMs: 60 }, 0);
  assert.equal(adaptation.levelOf("a"), 1, "one queued report is enough");
});

Deno.test("Adaptation lowers only quality for frames lost on a link that is not narrow", () => {
  const poor: LinkReport = { lossFraction: 0.05, framesLostFraction: 0.05, queueDelayMs: 2 };
  const { adaptation } = setup();
  feed(adaptation, { a: () => poor }, 0, 30_000);
  assert.equal(adaptation.levelOf("a"), FIRST_FPS_RUNG - 1, "down to the lowest quality");
  assert.deepEqual(adaptation.rungFor("a"), { quality: 20, fpsScale: 1, widthScale: 1 });
  // The same frames lost with a queue building up: the link is narrow, fps goes too.
  const narrow = { ...poor, queueDelayMs: 60 };
  feed(adaptation, { a: () => narrow }, 30_000, 40_000);
  assert.ok(adaptation.rungFor("a").fpsScale < 1, "fewer frames through a narrow link");
});

Deno.test("Adaptation takes a link as narrow when either window of the evidence shows it", () => {
  // A queue that overflows now and then: heavy loss in one window, frames
  // lost in the next with little loss, as a cap at the stream's rate does.
  const overflow: LinkReport = { lossFraction: 0.19, framesLostFraction: 0.48, queueDelayMs: 2 };
  const after: LinkReport = { lossFraction: 0.05, framesLostFraction: 0.45, queueDelayMs: 2 };
  const { adaptation } = setup();
  feed(adaptation, { a: () => ({ ...CLEAN, framesLostFraction: 0.05 }) }, 0, 30_000);
  assert.equal(adaptation.levelOf("a"), FIRST_FPS_RUNG - 1, "down to the lowest quality");
  feed(
    adaptation,
    { a: (now) => (Math.floor(now / 1000) % 2 === 0 ? overflow : after) },
    30_000,
    40_000,
  );
  assert.ok(adaptation.rungFor("a").fpsScale < 1, "fewer frames through the cap");
});
