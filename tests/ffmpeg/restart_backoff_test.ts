import assert from "node:assert/strict";
import { RestartBackoff } from "../../lib/ffmpeg/restart_backoff.ts";

Deno.test("RestartBackoff waits each pause in turn, the last one repeating, and counts the row", () => {
  const backoff = new RestartBackoff([1000, 2000, 4000]);
  const pauses = [];
  for (let i = 0; i < 5; i++) pauses.push([backoff.fail(), backoff.failures]);
  assert.deepEqual(pauses, [[1000, 1], [2000, 2], [4000, 3], [4000, 4], [4000, 5]]);
});

Deno.test("RestartBackoff.reset() starts the pauses and the count over", () => {
  const backoff = new RestartBackoff([0, 500]);
  backoff.fail();
  backoff.fail();
  backoff.reset();
  assert.equal(backoff.failures, 0);
  assert.equal(backoff.fail(), 0);
  assert.equal(backoff.failures, 1);
});

Deno.test("RestartBackoff refuses an empty list and a pause below 0 or not a number", () => {
  for (const pauses of [[], [-1], [1000, Number.NaN]]) {
    assert.throws(
      () => new RestartBackoff(pauses),
      new RangeError("Backoff must be a non-empty list of pauses of 0 ms or more"),
    );
  }
});

Deno.test("RestartBackoff keeps its own copy of the pauses", () => {
  const pauses = [1000];
  const backoff = new RestartBackoff(pauses);
  pauses[0] = 5;
  assert.equal(backoff.fail(), 1000);
});
