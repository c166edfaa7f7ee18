import assert from "node:assert/strict";
import { buildLadder, type Rung } from "../../lib/adapt/rate_ladder.ts";

/** A rough cost of a rung: bytes grow with quality, with the frames sent and with the area. */
function relativeBytes(rung: Rung): number {
  return (0.2 + rung.quality / 100) * rung.fpsScale * rung.widthScale ** 2;
}

Deno.test("buildLadder() steps quality down by 15 while it stays at 20 or more", () => {
  const cases: Array<[number, number[]]> = [
    [80, [80, 65, 50, 35, 20]],
    [100, [100, 85, 70, 55, 40, 25]],
    [50, [50, 35, 20]],
    [35, [35, 20]],
    [34, [34]],
    [20, [20]],
    [5, [5]],
  ];
  for (const [quality, qualities] of cases) {
    const ladder = buildLadder({ quality, reencode: true });
    const qualityRungs = ladder.filter((r) => r.fpsScale === 1 && r.widthScale === 1);
    assert.deepEqual(qualityRungs.map((r) => r.quality), qualities, `quality ${quality}`);
    assert.equal(
      ladder.length,
      qualities.length + 7,
      `quality ${quality}: 5 fps and 2 width rungs`,
    );
  }
});

Deno.test("buildLadder() lowers quality, then frame rate, then width", () => {
  assert.deepEqual(buildLadder({ quality: 80, reencode: true }), [
    { quality: 80, fpsScale: 1, widthScale: 1 },
    { quality: 65, fpsScale: 1, widthScale: 1 },
    { quality: 50, fpsScale: 1, widthScale: 1 },
    { quality: 35, fpsScale: 1, widthScale: 1 },
    { quality: 20, fpsScale: 1, widthScale: 1 },
    { quality: 20, fpsScale: 9 / 10, widthScale: 1 },
    { quality: 20, fpsScale: 5 / 6, widthScale: 1 },
    { quality: 20, fpsScale: 2 / 3, widthScale: 1 },
    { quality: 20, fpsScale: 1 / 2, widthScale: 1 },
    { quality: 20, fpsScale: 1 / 3, widthScale: 1 },
    { quality: 20, fpsScale: 1 / 3, widthScale: 0.75 },
    { quality: 20, fpsScale: 1 / 3, widthScale: 0.5 },
  ]);
});

Deno.test("buildLadder() gives every rung fewer bytes than the one before it", () => {
  for (const quality of [1, 20, 34, 35, 50, 80, 90, 100]) {
    for (const reencode of [true, false]) {
      const ladder = buildLadder({ quality, reencode });
      assert.deepEqual(ladder[0], { quality, fpsScale: 1, widthScale: 1 });
      for (let i = 1; i < ladder.length; i++) {
        const [a, b] = [ladder[i - 1], ladder[i]];
        const name = `quality ${quality}, reencode ${reencode}, rung ${i}`;
        // Each rung gives up exactly one thing and keeps the rest.
        const changed = [
          b.quality < a.quality,
          b.fpsScale < a.fpsScale,
          b.widthScale < a.widthScale,
        ];
        assert.equal(changed.filter(Boolean).length, 1, name);
        assert.ok(b.quality <= a.quality && b.fpsScale <= a.fpsScale, name);
        assert.ok(b.widthScale <= a.widthScale, name);
        assert.ok(relativeBytes(b) < relativeBytes(a), name);
        // Frame rate only once quality is at its lowest, width only once frame rate is.
        if (b.fpsScale < 1) assert.equal(b.quality, ladder[ladder.length - 1].quality, name);
        if (b.widthScale < 1) assert.equal(b.fpsScale, 1 / 3, name);
      }
      for (const rung of ladder) {
        assert.ok(rung.quality >= Math.min(quality, 20) && rung.quality <= 100);
        assert.ok(rung.fpsScale > 0 && rung.fpsScale <= 1);
        assert.ok(rung.widthScale > 0 && rung.widthScale <= 1);
      }
    }
  }
});

Deno.test("buildLadder() without reencode only lowers the frame rate", () => {
  assert.deepEqual(buildLadder({ quality: 80, reencode: false }), [
    { quality: 80, fpsScale: 1, widthScale: 1 },
    { quality: 80, fpsScale: 9 / 10, widthScale: 1 },
    { quality: 80, fpsScale: 5 / 6, widthScale: 1 },
    { quality: 80, fpsScale: 2 / 3, widthScale: 1 },
    { quality: 80, fpsScale: 1 / 2, widthScale: 1 },
    { quality: 80, fpsScale: 1 / 3, widthScale: 1 },
  ]);
});

Deno.test("buildLadder() rejects a quality that is not a whole number from 1 to 100", () => {
  for (const quality of [0, 101, 50.5, NaN, -20]) {
    assert.throws(() => buildLadder({ quality, reencode: true }), RangeError, `quality ${quality}`);
  }
});
