import assert from "node:assert/strict";
import { BENCH_HELP, BENCH_PARTS, parseBenchArgs } from "../../scripts/bench/bench_args.ts";
import { firstFrameDelayMs, fpsBetween } from "../../scripts/bench/cold_start.ts";
import { judgeColdStart } from "../../scripts/bench/loss_report.ts";
import { formatLoopLag, readLoopLag, senderLoopLag } from "../../scripts/bench/loop_lag.ts";
import type { LinkResult } from "../../scripts/bench/measure_link.ts";

/** A run of 60 s that met every target, changed as `change` says. */
function run(change: Partial<LinkResult> = {}): LinkResult {
  return {
    row: "loss5",
    label: "5 % random loss",
    nack: true,
    fec: 0,
    seconds: 60,
    deliveredPercent: 99.9,
    fpsStart: 24,
    fps: 29.8,
    fpsAfterAdapting: 29.8,
    resentPercent: 5,
    parityPercent: 0,
    latencyMs: { p50: 10, p99: 20 },
    rttMs: 5,
    mbps: 11,
    firstFrameMs: 40,
    lowestQuality: 65,
    endQuality: 80,
    framesDelivered: 1790,
    framesDropped: { incomplete: 0, expired: 0 },
    relay: {} as LinkResult["relay"],
    ...change,
  };
}

Deno.test("judgeColdStart() holds loss rows to fps from 5 s on and quality 80 at the end", () => {
  assert.deepEqual(judgeColdStart(run()), {
    target: "fps 5-60 s >= 29, quality 80 at the end",
    met: true,
  });
  assert.equal(judgeColdStart(run({ fps: 28.9 }))?.met, false);
  assert.equal(judgeColdStart(run({ endQuality: 65 }))?.met, false);
  assert.equal(judgeColdStart(run({ row: "loss1", fps: 29.4 }))?.met, false);
  assert.equal(judgeColdStart(run({ row: "loss10", fps: 28.5 }))?.met, true);
  // Recovery off has no cold-start target on a lossy link, nor do rows without one.
  assert.equal(judgeColdStart(run({ nack: false })), undefined);
  assert.equal(judgeColdStart(run({ row: "burst5" })), undefined);
});

Deno.test("judgeColdStart() holds the clean row to every frame and a quick first frame", () => {
  const clean = run({ row: "clean", nack: false, fec: 10 });
  assert.deepEqual(judgeColdStart(clean), {
    target: "0 frames dropped (0), first frame <= 150 ms",
    met: true,
  });
  assert.equal(judgeColdStart({ ...clean, framesDropped: { expired: 1 } })?.met, false);
  assert.equal(judgeColdStart({ ...clean, firstFrameMs: 151 })?.met, false);
  assert.equal(judgeColdStart({ ...clean, firstFrameMs: undefined })?.met, false);
});

Deno.test("firstFrameDelayMs() is the sender's first frame to the receiver going live", () => {
  const sender = [{ event: "listening", time: "2026-01-01T00:00:01.200Z" }];
  const receiver = [
    { event: "listening", time: "2026-01-01T00:00:00.500Z" },
    { event: "state", to: "stalled", time: "2026-01-01T00:00:01.250Z" },
    { event: "state", to: "live", time: "2026-01-01T00:00:01.290Z" },
    { event: "state", to: "live", time: "2026-01-01T00:00:09.000Z" },
  ];
  assert.equal(firstFrameDelayMs(sender, receiver), 90);
  assert.equal(firstFrameDelayMs(sender, receiver.slice(0, 2)), undefined);
  assert.equal(firstFrameDelayMs([], receiver), undefined);
});

Deno.test("fpsBetween() counts the parts read in a span, its start included", () => {
  const parts = [0, 100, 999, 1000, 1500].map((readAt) => ({ readAt, captureTime: 0, bytes: 1 }));
  assert.equal(fpsBetween(parts, 0, 1000), 3);
  assert.equal(fpsBetween(parts, 1000, 2000), 2);
  assert.ok(Number.isNaN(fpsBetween(parts, 1000, 1000)));
});

Deno.test("loop lag is read where the tools report it, and n/a where they do not", () => {
  assert.deepEqual(readLoopLag({ max: 12.5, p99: 1.2 }), { max: 12.5, p99: 1.2 });
  assert.equal(readLoopLag(undefined), undefined);
  assert.equal(readLoopLag({ max: 12.5 }), undefined);
  const events = [
    { event: "stats", eventLoopLagMs: { max: 30, p99: 3 } },
    { event: "stats", stats: {}, eventLoopLagMs: { max: 20, p99: 2 } },
    { event: "adapted" },
  ];
  assert.deepEqual(senderLoopLag(events), { max: 20, p99: 2 });
  assert.deepEqual(
    senderLoopLag([{ event: "stats", stats: { eventLoopLagMs: { max: 1, p99: 0.5 } } }]),
    {
      max: 1,
      p99: 0.5,
    },
  );
  assert.equal(senderLoopLag([{ event: "stats", stats: {} }]), undefined);
  assert.equal(formatLoopLag({ max: 20, p99: 2.04 }), "20.0 / 2.0");
  assert.equal(formatLoopLag(undefined), "n/a");
});

Deno.test("parseBenchArgs() runs the transients by default and alone with --only", () => {
  assert.deepEqual(parseBenchArgs([]).only, [...BENCH_PARTS]);
  assert.ok(BENCH_PARTS.includes("transients"));
  assert.deepEqual(parseBenchArgs(["--only", "transients"]).only, ["transients"]);
  assert.deepEqual(parseBenchArgs(["--only", "transients,loss"]).only, ["loss", "transients"]);
  assert.match(BENCH_HELP, /transients/);
});
