import assert from "node:assert/strict";
import { FrameThinner } from "../../lib/adapt/frame_thinner.ts";

/** Which of `frames` frames the thinner admits at `scale`, as a string of 1s and 0s. */
function pattern(thinner: FrameThinner, scale: number, frames: number): string {
  return Array.from({ length: frames }, () => (thinner.admit(scale) ? "1" : "0")).join("");
}

Deno.test("FrameThinner.admit() sends an exact, even share of the frames", () => {
  const cases: Array<[number, string]> = [
    [1, "111111"],
    [2 / 3, "101101"],
    [1 / 2, "101010"],
    [1 / 3, "100100"],
  ];
  for (const [scale, expected] of cases) {
    const thinner = new FrameThinner();
    assert.equal(pattern(thinner, scale, 6), expected, `scale ${scale}`);
    const sent = pattern(thinner, scale, 3000).split("").filter((c) => c === "1").length;
    assert.equal(sent, 3000 * scale, `scale ${scale} over 3000 frames`);
  }
});

Deno.test("FrameThinner.admit() releases no burst when the scale rises", () => {
  for (let before = 0; before < 3; before++) {
    const thinner = new FrameThinner();
    pattern(thinner, 1 / 3, 30 + before);
    assert.equal(pattern(thinner, 1, 12), "111111111111", `after ${30 + before} frames at 1/3`);
    // And back down: one frame in three again, at most one of them saved up.
    const after = pattern(thinner, 1 / 3, 6);
    assert.ok(after === "100100" || after === "010010" || after === "001001", after);
  }
});

Deno.test("FrameThinner.admit() keeps within one frame of the share after any change", () => {
  const thinner = new FrameThinner();
  const scales = [1, 2 / 3, 1 / 2, 1 / 3, 0.25, 0.9];
  let seed = 11;
  for (let run = 0; run < 200; run++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const scale = scales[seed % scales.length];
    const frames = 1 + (seed >> 8) % 20;
    let sent = 0;
    for (let k = 1; k <= frames; k++) {
      if (thinner.admit(scale)) sent++;
      assert.ok(sent <= Math.ceil(k * scale - 1e-6), `run ${run}: ${sent} of ${k} at ${scale}`);
      assert.ok(sent >= Math.floor(k * scale + 1e-6), `run ${run}: ${sent} of ${k} at ${scale}`);
    }
  }
});

Deno.test("FrameThinner.admit() rejects a share out of (0, 1]", () => {
  const thinner = new FrameThinner();
  for (const scale of [0, -0.5, 1.5, NaN]) {
    assert.throws(() => thinner.admit(scale), RangeError, `scale ${scale}`);
  }
});
