import assert from "node:assert/strict";
import { RejectionTally } from "../../lib/send/rejection_tally.ts";

const A = "192.0.2.7:5000";
const B = "198.51.100.3:4000";
const C = "203.0.113.9:6000";

/** The `i`-th of many distinct addresses, as spoofed datagrams would come from. */
function address(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:5000`;
}

/** Adds `n` rejections from `from`, the `k`-th at `start + k`, and returns the lines. */
function addMany(tally: RejectionTally, from: string, reason: string, n: number, start: number) {
  const lines = [];
  for (let k = 0; k < n; k++) {
    const line = tally.add(from, reason, start + k);
    if (line !== undefined) lines.push(line);
  }
  return lines;
}

Deno.test("RejectionTally returns the first rejection from an address at once and counts the rest", () => {
  const tally = new RejectionTally();
  assert.deepEqual(tally.add(A, "wrong key", 0), {
    type: "rejected",
    address: A,
    reason: "wrong key",
    message: "rejected a datagram from 192.0.2.7:5000: wrong key",
  });
  assert.equal(tally.add(A, "wrong key", 1), undefined);
  assert.equal(tally.add(A, "bad cookie", 2), undefined, "a new reason is counted too");
  assert.equal(tally.add(B, "wrong key", 3)?.address, B, "another address is logged at once");
  assert.equal(tally.size, 2);
});

Deno.test("RejectionTally summarizes exactly what it counted, at most once per interval", () => {
  const tally = new RejectionTally();
  const lines = [
    ...addMany(tally, A, "wrong key", 481, 0),
    ...addMany(tally, B, "wrong key", 21, 1000),
    ...addMany(tally, B, "rate limited", 10, 2000),
    ...addMany(tally, C, "rate limited", 14, 3000),
  ];
  assert.deepEqual(lines.map((line) => line.address), [A, B, C]);
  assert.equal(tally.flush(9999), undefined, "not before an interval since the first");
  assert.deepEqual(tally.flush(10_000), {
    type: "rejected_summary",
    total: 523,
    reasons: { "wrong key": 500, "rate limited": 23 },
    addresses: 3,
    untracked: 0,
    top: [{ address: A, count: 480 }, { address: B, count: 30 }, { address: C, count: 13 }],
    periodMs: 10_000,
    message: "rejected 523 datagrams from 3 addresses in the last 10 s: " +
      "wrong key 500, rate limited 23; " +
      "most from 192.0.2.7:5000 (480), 198.51.100.3:4000 (30), 203.0.113.9:6000 (13)",
  });
  assert.equal(tally.flush(10_001), undefined, "counted once");
  // C failed 8987 ms before: it is still known, so only counted.
  assert.equal(tally.add(C, "rate limited", 12_000), undefined);
  assert.equal(tally.flush(19_999), undefined, "not before an interval since the last summary");
  const next = tally.flush(20_000);
  assert.equal(
    next?.message,
    "rejected 1 datagram from 203.0.113.9:6000 in the last 10 s: rate limited 1",
  );
  assert.equal(next?.periodMs, 10_000);
});

Deno.test("RejectionTally returns nothing when quiet", () => {
  const tally = new RejectionTally();
  assert.equal(tally.flush(0), undefined);
  assert.equal(tally.flush(1e6), undefined);
  assert.ok(tally.add(A, "wrong key", 2e6), "logged at once");
  assert.equal(tally.flush(2e6 + 10_000), undefined, "nothing was only counted");
  assert.ok(tally.add(A, "wrong key", 2e6 + 15_000), "quiet for an interval: logged again");
  addMany(tally, A, "wrong key", 2, 2e6 + 16_000);
  assert.equal(tally.flush(2e6 + 24_999), undefined);
  assert.equal(tally.flush(2e6 + 25_000)?.total, 2);
  assert.equal(tally.flush(2e6 + 35_000), undefined, "a quiet interval after a summary");
});

Deno.test("RejectionTally logs an address that keeps failing once, then in the summaries", () => {
  const tally = new RejectionTally();
  let lines = 0;
  const summaries: Array<{ at: number; total: number }> = [];
  // One rejection every 100 ms for a minute, and a flush every second.
  for (let now = 0; now < 60_000; now += 100) {
    if (tally.add(A, "wrong key", now) !== undefined) lines++;
    if (now % 1000 === 0) {
      const summary = tally.flush(now);
      if (summary !== undefined) summaries.push({ at: now, total: summary.total });
    }
  }
  assert.equal(lines, 1);
  assert.deepEqual(summaries.map((s) => s.at), [10_000, 20_000, 30_000, 40_000, 50_000]);
  assert.deepEqual(summaries.map((s) => s.total), [100, 100, 100, 100, 100]);
});

Deno.test("RejectionTally logs an address again once it has been quiet for an interval", () => {
  const tally = new RejectionTally();
  assert.ok(tally.add(A, "wrong key", 0));
  assert.equal(tally.add(A, "wrong key", 9999), undefined);
  assert.equal(tally.add(A, "wrong key", 19_998), undefined, "its last rejection was 9999 ms ago");
  assert.ok(tally.add(A, "wrong key", 29_998), "quiet for 10 s");
});

Deno.test("RejectionTally caps the lines at once and the addresses it remembers", () => {
  const tally = new RejectionTally();
  let lines = 0;
  for (let i = 0; i < 10_000; i++) {
    if (tally.add(address(i), "bad cookie", i / 10) !== undefined) lines++;
    assert.ok(tally.size <= 1024, `${tally.size} remembered`);
  }
  assert.equal(lines, 10, "linesPerInterval");
  const summary = tally.flush(10_000);
  assert.deepEqual({ ...summary, message: undefined }, {
    type: "rejected_summary",
    total: 9990,
    reasons: { "bad cookie": 9990 },
    addresses: 1024,
    untracked: 9990 - 1024,
    top: [10, 11, 12].map((i) => ({ address: address(i), count: 1 })),
    periodMs: 10_000,
    message: undefined,
  });
  assert.match(
    summary?.message ?? "",
    /^rejected 9990 datagrams from more than 1024 addresses in the last 10 s: bad cookie 9990;/,
  );
  // The spoofed addresses are forgotten an interval after their last rejection.
  assert.ok(tally.add(B, "wrong key", 1000 + 10_000), "room again");
  assert.equal(tally.size, 1);
});

Deno.test("RejectionTally follows its options", () => {
  const tally = new RejectionTally({
    intervalMs: 500,
    maxAddresses: 2,
    linesPerInterval: 1,
    topAddresses: 1,
  });
  assert.ok(tally.add(A, "malformed", 0));
  assert.equal(tally.add(B, "malformed", 1), undefined, "one line per interval");
  assert.equal(tally.size, 2);
  assert.equal(tally.add(C, "malformed", 2), undefined);
  assert.equal(tally.size, 2, "no room to remember C, but room to count it");
  tally.add("192.0.2.99:7000", "malformed", 3);
  tally.add(C, "malformed", 4);
  assert.equal(tally.flush(499), undefined);
  assert.deepEqual(tally.flush(500), {
    type: "rejected_summary",
    total: 4,
    reasons: { malformed: 4 },
    addresses: 2,
    untracked: 1,
    top: [{ address: C, count: 2 }],
    periodMs: 500,
    message: "rejected 4 datagrams from more than 2 addresses in the last 500 ms: malformed 4; " +
      "most from 203.0.113.9:6000 (2)",
  });
});

Deno.test("RejectionTally refuses options that cannot work", () => {
  const bad = [
    { intervalMs: 0 },
    { maxAddresses: 0 },
    { linesPerInterval: -1 },
    { topAddresses: 1.5 },
  ];
  for (const options of bad) {
    assert.throws(() => new RejectionTally(options), RangeError, JSON.stringify(options));
  }
});
