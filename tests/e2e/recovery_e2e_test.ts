import assert from "node:assert/strict";
import { ImpairRelay } from "../../scripts/impair/impair_relay.ts";
import type { LinkProfile } from "../../scripts/impair/link_profile.ts";
import { CAMERA_720P, withClip } from "../_media.ts";
import { ToolProcess } from "../_tool.ts";

interface Run {
  sender: ToolProcess;
  /** The sender's UDP port, for receivers that bypass the relay. */
  port: number;
  receiver: ToolProcess;
  relay: ImpairRelay;
  url: string;
}

/** A sender looping `clip`, a relay impairing both directions, a receiver behind it. */
async function start(clip: string, link: LinkProfile, senderArgs: string[]): Promise<Run> {
  const sender = new ToolProcess("sender", [
    "--source",
    clip,
    "--loop",
    "--listen",
    "127.0.0.1:0",
    ...senderArgs,
  ]);
  const port = Number(String((await sender.waitFor("listening")).address).split(":").at(-1));
  const relay = new ImpairRelay({
    listen: { hostname: "127.0.0.1", port: 0 },
    target: { hostname: "127.0.0.1", port },
    seed: 7,
    up: link,
    down: link,
  });
  const receiver = new ToolProcess("receiver", [
    `127.0.0.1:${relay.addr.port}`,
    "--http",
    "127.0.0.1:0",
  ]);
  const url = String((await receiver.waitFor("listening")).url);
  await receiver.waitFor("state", (e) => e.to === "live", 20_000);
  return { sender, port, receiver, relay, url };
}

async function stop(run: Run): Promise<void> {
  await run.receiver.stop();
  await run.sender.stop();
  await run.relay.close();
}

// deno-lint-ignore no-explicit-any
async function stats(url: string): Promise<any> {
  return await (await fetch(`${url}stats`)).json();
}

function dropped(s: { framesDropped: Record<string, number> }): number {
  return Object.values(s.framesDropped).reduce((sum, n) => sum + n, 0);
}

Deno.test("through 5 % loss both ways, at least 97 % of frames arrive whole", async () => {
  await withClip(CAMERA_720P, async (clip) => {
    // Adaptation off, so that recovery alone is measured, at full quality.
    const run = await start(clip, { lossPercent: 5, delayMs: 2 }, ["--adapt", "off"]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const before = await stats(run.url);
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const after = await stats(run.url);
      const shown = after.framesReceived - before.framesReceived;
      const lost = dropped(after) - dropped(before);
      const delivered = shown / (shown + lost);
      assert.ok(shown >= 150, `${shown} frames in 6 s`);
      assert.ok(delivered >= 0.97, `${(delivered * 100).toFixed(1)} % of frames whole`);
      // Without recovery nearly every frame of 40 datagrams would lose one.
      const missing = after.packetsMissing - before.packetsMissing;
      const recovered = after.packetsRecovered - before.packetsRecovered;
      assert.ok(missing > shown / 2, `${missing} datagrams lost on the way`);
      assert.ok(recovered >= missing * 0.95, `${recovered} of ${missing} recovered`);
      assert.ok(run.relay.counters.down.lost > 0);
    } finally {
      await stop(run);
    }
  });
});

Deno.test("a link capped at half the stream's bitrate makes the sender adapt", async () => {
  await withClip(CAMERA_720P, async (clip) => {
    // The clip at quality 80 is about 11 Mbit/s.
    const run = await start(clip, { rateMbps: 5.5, queueMs: 100, delayMs: 2 }, []);
    try {
      const adapted = await run.sender.waitFor(
        "adapted",
        (e) => typeof e.quality === "number" && e.quality < 80,
        10_000,
      );
      assert.match(String(adapted.reason), /loss|queue delay|frames lost/);
      // Settled within 10 s, whole frames flow again: without adaptation half
      // of all datagrams would be lost, and nearly every frame. Over 6 s, so
      // that a probe up that fails is a part of the window, not all of it;
      // how many frames the cap lets through is the bench's loss matrix's.
      await new Promise((resolve) => setTimeout(resolve, 8000));
      const before = await stats(run.url);
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const after = await stats(run.url);
      const fps = (after.framesReceived - before.framesReceived) / 6;
      assert.ok(fps >= 12, `${fps.toFixed(1)} fps of whole frames through the cap`);
      assert.ok(after.bitrateMbps < 5.5, `${after.bitrateMbps} Mbit/s fits the link`);
    } finally {
      await stop(run);
    }
  });
});

Deno.test("one receiver on a narrow link gets fewer frames, and the other keeps its picture", async () => {
  await withClip(CAMERA_720P, async (clip) => {
    const run = await start(clip, { rateMbps: 6, queueMs: 100, delayMs: 2 }, []);
    const direct = new ToolProcess("receiver", [`127.0.0.1:${run.port}`, "--http", "127.0.0.1:0"]);
    try {
      const url = String((await direct.waitFor("listening")).url);
      await direct.waitFor("state", (e) => e.to === "live", 20_000);
      const thinned = await run.sender.waitFor(
        "adapted",
        (e) => typeof e.fpsScale === "number" && e.fpsScale < 1,
        15_000,
      );
      const narrow = String(thinned.receiver);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const before = await stats(url);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const after = await stats(url);
      const fps = (after.framesReceived - before.framesReceived) / 3;
      assert.ok(fps >= 27, `the direct receiver still gets ${fps.toFixed(1)} fps`);
      const shared = run.sender.events.filter((e) =>
        e.event === "adapted" && typeof e.quality === "number" && e.quality < 80
      );
      assert.deepEqual(shared, [], "the narrow link did not lower the shared quality");
      const narrowStats = await stats(run.url);
      assert.ok(narrowStats.fps > 0 && narrowStats.fps < 27, `narrow: ${narrowStats.fps} fps`);
      assert.notEqual(narrow, "", "the thinned receiver is named");
    } finally {
      await direct.stop();
      await stop(run);
    }
  });
});
