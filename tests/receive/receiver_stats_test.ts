import assert from "node:assert/strict";
import { round, roundOrUndefined } from "../../lib/receive/receiver_stats.ts";

Deno.test("round() rounds to the digits asked for", () => {
  const cases: Array<[number, number, number]> = [
    [1.25, 1, 1.3],
    [1.24, 1, 1.2],
    [12.3456, 2, 12.35],
    [0.5, 0, 1],
    [-1.25, 1, -1.2],
    [7, 2, 7],
  ];
  for (const [value, digits, expected] of cases) {
    assert.equal(round(value, digits), expected, `${value} to ${digits}`);
  }
});

Deno.test("roundOrUndefined() rounds to 2 digits and keeps undefined", () => {
  const cases: Array<[number | undefined, number | undefined]> = [
    [undefined, undefined],
    [1.234, 1.23],
    [1.235, 1.24],
    [0, 0],
  ];
  for (const [value, expected] of cases) assert.equal(roundOrUndefined(value), expected);
});
