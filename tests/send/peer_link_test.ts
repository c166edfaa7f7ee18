import assert from "node:assert/strict";
import { EMPTY_REPORT, type ReceiverReport } from "../../lib/wire/mod.ts";
import {
  PeerLink,
  RESEND_CREDIT_MAX_BYTES,
  RESEND_SHARE,
  RESEND_SHARE_CONGESTED,
} from "../../lib/send/peer_link.ts";

function report(fields: Partial<ReceiverReport>): ReceiverReport {
  return { ...EMPTY_REPORT, ...fields };
}

/** Feeds two reports: `missing` of 1000 first sends lost in between, and a queue delay. */
function linkWith(missing: number, queueDelayMs = 0): PeerLink {
  const link = new PeerLink();
  link.report(report({}), 0);
  for (let i = 0; i < 1000; i++) link.sent(1200);
  link.report(report({ fragments: 1000 - missing, missing, queueDelayMs }), 250);
  return link;
}

Deno.test("PeerLink ignores a report that cannot be true, and starts over after it", () => {
  const link = new PeerLink();
  link.report(report({}), 0);
  for (let i = 0; i < 100; i++) link.sent(1200);
  // More frames lost than datagrams sent since, as a forged keepalive might say.
  assert.equal(link.report(report({ fragments: 100, framesLost: 5000 }), 250), undefined);
  assert.equal(link.implausible, 1);
  assert.equal(link.congested, false);
  // Counters that went back, and absurd delays, too.
  assert.equal(link.report(report({ fragments: 50 }), 500), undefined, "a new start");
  assert.equal(link.report(report({ fragments: 40 }), 750), undefined);
  assert.equal(link.report(report({ queueDelayMs: 4e6 }), 800), undefined);
  assert.equal(link.implausible, 3);
  // Reports go on from the next true one.
  link.report(report({ fragments: 100 }), 1000);
  for (let i = 0; i < 100; i++) link.sent(1200);
  const change = link.report(report({ fragments: 190, missing: 10 }), 1250);
  assert.deepEqual(change, { lossFraction: 0.1, framesLostFraction: 0, queueDelayMs: 0 });
  assert.equal(link.implausible, 3);
});

Deno.test("PeerLink tells a lossy link from a congested one", () => {
  const cases: Array<[string, PeerLink, boolean, boolean]> = [
    ["clean", linkWith(0), false, false],
    ["1 % random loss", linkWith(10), true, false],
    ["10 % random loss", linkWith(100), true, false],
    ["20 % loss", linkWith(200), false, true],
    ["a queue building up", linkWith(10, 50), false, true],
  ];
  for (const [name, link, lossy, congested] of cases) {
    assert.equal(link.lossy, lossy, `${name}: lossy`);
    assert.equal(link.congested, congested, `${name}: congested`);
  }
  assert.equal(linkWith(100).lossPercent, 10);
});

Deno.test("PeerLink earns resend credit from first sends, less when congested", () => {
  const clean = linkWith(0);
  assert.ok(clean.spend(RESEND_CREDIT_MAX_BYTES), "starts with a full budget");
  assert.equal(clean.spend(1), false, "then nothing is left");
  clean.sent(10_000);
  assert.equal(clean.credit, 10_000 * RESEND_SHARE);
  const congested = linkWith(300);
  congested.spend(RESEND_CREDIT_MAX_BYTES);
  congested.sent(10_000);
  assert.equal(congested.credit, 10_000 * RESEND_SHARE_CONGESTED);
});

Deno.test("PeerLink caps its credit and counts only requested resends", () => {
  const link = new PeerLink();
  link.sent(100 * RESEND_CREDIT_MAX_BYTES);
  assert.equal(link.credit, RESEND_CREDIT_MAX_BYTES);
  assert.ok(link.spend(1200));
  assert.ok(link.spend(1200, false), "a repeated last datagram");
  assert.equal(link.stats("10.0.0.2:5000").resent, 1);
});

Deno.test("PeerLink shows its latest report in stats", () => {
  const link = new PeerLink();
  assert.equal(link.report(report({ framesShown: 10 }), 0), undefined, "one report says nothing");
  const change = link.report(
    report({ fragments: 95, missing: 5, framesShown: 40, framesLost: 1, rttMs: 4.5 }),
    250,
  );
  assert.deepEqual(change, { lossFraction: 0.05, framesLostFraction: 1 / 31, queueDelayMs: 0 });
  assert.deepEqual(link.stats("10.0.0.2:5000"), {
    address: "10.0.0.2:5000",
    rttMs: 4.5,
    lossPercent: 5,
    queueDelayMs: 0,
    framesShown: 40,
    framesLost: 1,
    resent: 0,
  });
});

Deno.test("PeerLink judges the last second of reports, not the last quarter", () => {
  const link = new PeerLink();
  // Four reports a second; one frame lost in one quarter, none in the others.
  const shown = [0, 8, 15, 23, 30, 38, 45, 53, 60, 68];
  const lost = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
  const changes = shown.map((framesShown, i) =>
    link.report(report({ framesShown, framesLost: lost[i] }), i * 250)
  );
  // At 1.25 s: over 1.0 s (from 0.25 s), 1 lost of 31 frames.
  assert.equal(changes[5]?.framesLostFraction, 1 / 31);
  // At 2 s the loss is still within the last second; at 2.25 s it is not.
  assert.equal(changes[8]?.framesLostFraction, 1 / 31);
  assert.equal(changes[9]?.framesLostFraction, 0);
});
