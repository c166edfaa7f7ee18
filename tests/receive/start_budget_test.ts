import assert from "node:assert/strict";
import { StartBudget, startsFor } from "../../lib/receive/start_budget.ts";

Deno.test("startsFor() costs one start per 256 fragments, rounded up", () => {
  const cases: Array<[number, number]> = [[1, 1], [255, 1], [256, 1], [257, 2], [512, 2], [513, 3]];
  for (const [count, starts] of cases) assert.equal(startsFor(count), starts, `${count}`);
});

Deno.test("StartBudget starts full and tops up at its pace, up to the burst", () => {
  const cases: Array<{ steps: Array<[string, number, number?]>; starts: number }> = [
    // [what, time or cost, cost]
    { steps: [["can", 0, 4]], starts: 4 },
    { steps: [["can", 0, 1], ["spend", 3]], starts: 1 },
    { steps: [["can", 0, 1], ["spend", 4], ["can", 500, 1]], starts: 1 },
    { steps: [["can", 0, 1], ["spend", 4], ["can", 10_000, 1]], starts: 4 },
    { steps: [["can", 0, 1], ["spend", 2], ["giveBack", 5]], starts: 4 },
    // A clock that steps back tops up nothing, and the next top-up counts from there.
    { steps: [["can", 1000, 1], ["spend", 4], ["can", 0, 1], ["can", 500, 1]], starts: 1 },
  ];
  for (const { steps, starts } of cases) {
    const budget = new StartBudget({ perSecond: 2, burst: 4 });
    for (const [what, a, b] of steps) {
      if (what === "can") budget.canStart(b!, a);
      else if (what === "spend") budget.spend(a);
      else budget.giveBack(a);
    }
    assert.equal(budget.starts, starts, JSON.stringify(steps));
  }
});

Deno.test("StartBudget.canStart() says whether the cost is left", () => {
  const budget = new StartBudget({ perSecond: 1, burst: 2 });
  assert.equal(budget.canStart(2, 0), true);
  assert.equal(budget.canStart(3, 0), false);
  budget.spend(2);
  assert.equal(budget.canStart(1, 500), false);
  assert.equal(budget.canStart(1, 1000), true);
});
