/**
 * Transients through the project's relay, from a cold start: each ends with
 * the stream back at full quality and frame rate within 10 s, and a step in
 * the path's delay is not taken for congestion.
 */
import assert from "node:assert/strict";
import { CAMERA_720P, withClip } from "../_media.ts";
import {
  adaptations,
  at,
  LAN,
  type Pair,
  receiverStats,
  startPair,
  stopPair,
  timeOf,
} from "../_pair.ts";

/** When the transient starts, ms after both tools started. */
const TRANSIENT_AT = 6000;
/** How long after its end the stream must be back. */
const BACK_WITHIN_MS = 10_000;

/** The quality and frame share the sender gives the receiver after its `adapted` events up to `until`. */
function rungAt(pair: Pair, until: number): { quality: number; fpsScale: number } {
  let quality = 80;
  let fpsScale = 1;
  for (const line of adaptations(pair.sender)) {
    if (timeOf(line) > until) break;
    if (typeof line.quality === "number") quality = line.quality;
    if (typeof line.fpsScale === "number") fpsScale = line.fpsScale;
  }
  return { quality, fpsScale };
}

/**
 * Streams a 720p file from a cold start, runs `transient` at 6 s, and checks
 * that within 10 s of its end the sender is back at quality 80 and every
 * frame, and the receiver shows 28 fps or more.
 */
async function survives(transient: (pair: Pair) => Promise<void>): Promise<Pair> {
  return await withClip(CAMERA_720P, async (clip) => {
    const pair = await startPair({ sender: ["--source", clip, "--loop"] });
    try {
      await at(pair, TRANSIENT_AT);
      assert.equal((await receiverStats(pair.url)).state, "live");
      await transient(pair);
      const ended = Date.now();
      const deadline = performance.now() + BACK_WITHIN_MS;
      let backAt: number | undefined;
      while (performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const rung = rungAt(pair, Date.now());
        const { fps } = await receiverStats(pair.url);
        const back = rung.quality === 80 && rung.fpsScale === 1 && fps >= 28;
        if (back) backAt ??= Date.now() - ended;
        else backAt = undefined;
      }
      const { fps } = await receiverStats(pair.url);
      assert.ok(
        backAt !== undefined,
        `not back within 10 s: ${JSON.stringify(rungAt(pair, Date.now()))} at ${fps} fps; ` +
          JSON.stringify(adaptations(pair.sender).map((line) => line.reason)),
      );
      return pair;
    } finally {
      await stopPair(pair);
    }
  });
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Stops the process for `ms`, as a debugger, a laptop lid or a busy machine would. */
async function freeze(pid: number, ms: number): Promise<void> {
  Deno.kill(pid, "SIGSTOP");
  try {
    await pause(ms);
  } finally {
    Deno.kill(pid, "SIGCONT");
  }
}

Deno.test("a receiver stopped for 1 s is back to full quality and frame rate within 10 s", async () => {
  await survives((pair) => freeze(pair.receiver.child.pid, 1000));
});

Deno.test("a sender stopped for 1 s is back to full quality and frame rate within 10 s", async () => {
  await survives((pair) => freeze(pair.sender.child.pid, 1000));
});

Deno.test("a 2 s blackout is followed by full quality and frame rate within 10 s", async () => {
  await survives(async (pair) => {
    pair.relay.blackout = true;
    await pause(2000);
    pair.relay.blackout = false;
  });
});

Deno.test("a route 50 ms longer is not congestion: no step down, a queue for under 2 s", async () => {
  const queued: number[] = [];
  const pair = await survives(async (pair) => {
    pair.relay.impair("down", { ...LAN, delayMs: LAN.delayMs! + 50 });
    const changed = performance.now();
    while (performance.now() - changed < 4000) {
      const { queueDelayMs } = await receiverStats(pair.url);
      if (queueDelayMs > 40) queued.push(performance.now() - changed);
      await pause(100);
    }
  });
  assert.deepEqual(adaptations(pair.sender), [], "the sender never stepped down");
  const span = queued.length === 0 ? 0 : queued.at(-1)! - queued[0];
  assert.ok(span <= 2000, `read as a queue for ${span.toFixed(0)} ms`);
});

Deno.test("a cap at half the bitrate for 10 s, then lifted, is followed by full quality within 10 s", async () => {
  const pair = await survives(async (pair) => {
    const { bitrateMbps } = await receiverStats(pair.url);
    const capped = { ...LAN, rateMbps: bitrateMbps / 2, queueMs: 100 };
    pair.relay.impair("down", capped);
    await pause(10_000);
    pair.relay.impair("down", LAN);
  });
  const lowest = Math.min(
    ...adaptations(pair.sender).map((line) => Number(line.quality ?? 80)),
  );
  assert.ok(lowest < 80, "the cap made the sender step down");
});
