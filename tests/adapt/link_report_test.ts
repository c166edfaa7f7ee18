import assert from "node:assert/strict";
import { linkReport } from "../../lib/adapt/link_report.ts";
import { EMPTY_REPORT, type ReceiverReport } from "../../lib/wire/mod.ts";

function report(fields: Partial<ReceiverReport>): ReceiverReport {
  return { ...EMPTY_REPORT, ...fields };
}

const BEFORE = report({
  fragments: 1000,
  missing: 10,
  recovered: 5,
  framesShown: 100,
  framesLost: 1,
});
// In between: 990 fragments (20 of them resent), 30 found missing, 90 frames shown, 2 lost.
const AFTER = report({
  fragments: 1990,
  missing: 40,
  recovered: 25,
  framesShown: 190,
  framesLost: 3,
  queueDelayMs: 12.5,
});

Deno.test("linkReport() gives the loss before recovery between two reports", () => {
  const change = linkReport(BEFORE, AFTER);
  // Sent once: 990 received - 20 recovered + 30 missing = 1000, of which 30 were lost.
  assert.equal(change?.lossFraction, 30 / 1000);
  assert.equal(change?.queueDelayMs, 12.5);
});

Deno.test("linkReport() gives the fraction of frames lost after recovery", () => {
  assert.equal(linkReport(BEFORE, AFTER)?.framesLostFraction, 2 / 92);
  const onlyLost = linkReport(report({}), report({ framesLost: 3 }));
  assert.deepEqual(onlyLost, { lossFraction: 0, framesLostFraction: 1, queueDelayMs: 0 });
});

Deno.test("linkReport() takes the difference of counters that wrapped past 2^32", () => {
  const counters = ["fragments", "missing", "recovered", "framesShown", "framesLost"] as const;
  // Every counter shifted so that it is 2^32 - 1 at the first report and wraps before the second.
  const shifted = (from: ReceiverReport) => {
    const out = { ...from };
    for (const name of counters) out[name] = (from[name] - BEFORE[name] - 1 + 2 ** 32) % 2 ** 32;
    return out;
  };
  const before = shifted(BEFORE);
  const after = shifted(AFTER);
  for (const name of counters) {
    assert.equal(before[name], 2 ** 32 - 1, name);
    assert.ok(after[name] < before[name], `${name} wrapped`);
  }
  assert.deepEqual(linkReport(before, after), linkReport(BEFORE, AFTER));
  assert.equal(linkReport(before, after)?.lossFraction, 30 / 1000);
});

Deno.test("linkReport() gives undefined when nothing happened in between", () => {
  assert.equal(linkReport(AFTER, AFTER), undefined);
  assert.equal(linkReport(report({}), report({ rttMs: 5, queueDelayMs: 3 })), undefined);
});
