/**
 * Sender and receiver started at the same moment, through the project's
 * relay, counted from that moment: the first second is clean.
 */
import assert from "node:assert/strict";
import { CAMERA_720P, withClip } from "../_media.ts";
import {
  adaptations,
  at,
  framesDropped,
  receiverStats,
  startPair,
  stopPair,
  timeOf,
} from "../_pair.ts";
import { type LogLine, ToolProcess } from "../_tool.ts";

async function cleanStart(source: string[]): Promise<void> {
  const pair = await startPair({ sender: source });
  try {
    await at(pair, 6000);
    const stats = await receiverStats(pair.url);
    // Started at the same moment, either may be up first: a receiver that
    // joins a moment after the sender's first frame is sent that frame.
    const first = await pair.sender.waitFor("listening");
    const live = await pair.receiver.waitFor("state", (line) => line.to === "live");
    const late = timeOf(live) - timeOf(first);
    assert.ok(
      late <= 150,
      `the first frame reached the preview ${late} ms after the sender's first`,
    );
    assert.equal(stats.state, "live");
    assert.equal(framesDropped(stats), 0, JSON.stringify(stats.framesDropped));
    assert.equal(stats.packetsLost, 0);
    assert.deepEqual(adaptations(pair.sender), [], "a clean link never steps down");
    await pair.sender.stop();
    const stopped = await pair.sender.waitFor("stopped");
    assert.equal(stopped.skipped, 0, "the sender sent every frame it made to the receiver");
    const sent = (stopped.stats as { framesSent: number }).framesSent;
    const shown = (await receiverStats(pair.url)).framesReceived;
    // The last frame may still have been on its way when the sender stopped.
    assert.ok(shown >= sent - 1, `${shown} frames shown of the ${sent} the sender sent`);
  } finally {
    await stopPair(pair);
  }
}

Deno.test("started together on a clean link, a 720p file loses no frame, from the first", async () => {
  await withClip(CAMERA_720P, (clip) => cleanStart(["--source", clip, "--loop"]));
});

Deno.test("started together on a clean link, the test pattern loses no frame, from the first", async () => {
  await cleanStart(["--source", "test", "--width", "1280"]);
});

Deno.test("started together through 5 % loss, 30 fps by second 5 at full quality", async () => {
  await withClip(CAMERA_720P, async (clip) => {
    const pair = await startPair({
      sender: ["--source", clip, "--loop"],
      link: { lossPercent: 5, delayMs: 2 },
    });
    try {
      await at(pair, 5000);
      const before = await receiverStats(pair.url);
      await at(pair, 10_000);
      const after = await receiverStats(pair.url);
      const fps = (after.framesReceived - before.framesReceived) / 5;
      assert.ok(fps >= 29, `${fps} fps over seconds 5 to 10`);
      assert.ok(after.packetsMissing > before.packetsMissing, "datagrams were lost on the way");
      assert.deepEqual(adaptations(pair.sender), [], "recovered loss never steps down");
    } finally {
      await stopPair(pair);
    }
  });
});

Deno.test("a receiver started against a running sender shows a frame within 150 ms of listening", async () => {
  await withClip(CAMERA_720P, async (clip) => {
    const pair = await startPair({ sender: ["--source", clip, "--loop"] });
    let late: ToolProcess | undefined;
    try {
      await at(pair, 3000);
      late = new ToolProcess("receiver", [
        `127.0.0.1:${pair.relay.addr.port}`,
        "--http",
        "127.0.0.1:0",
      ]);
      const listening = await late.waitFor("listening");
      const live = await late.waitFor("state", (line) => line.to === "live");
      const wait = timeOf(live) - timeOf(listening);
      assert.ok(
        wait <= 150,
        `the first frame came ${wait} ms after the receiver started listening`,
      );
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const stats = await receiverStats(String(listening.url));
      assert.equal(framesDropped(stats), 0, JSON.stringify(stats.framesDropped));
      assert.ok(stats.fps >= 28, `${stats.fps} fps`);
    } finally {
      await late?.stop();
      await stopPair(pair);
    }
  });
});

Deno.test("a receiver joining a 1 fps sender is sent the frame made before it joined, not the next", async () => {
  const sender = new ToolProcess("sender", [
    "--source",
    "test",
    "--fps",
    "1",
    "--listen",
    "127.0.0.1:0",
  ]);
  try {
    const address = String((await sender.waitFor("listening")).address);
    // Two receivers, one after the other: each is the only one when it joins.
    for (let run = 0; run < 2; run++) {
      await new Promise((resolve) => setTimeout(resolve, 1300));
      const receiver = new ToolProcess("receiver", [address, "--http", "127.0.0.1:0"]);
      try {
        const joined = await receiver.waitFor("joined");
        const live = await receiver.waitFor("state", (line) => line.to === "live");
        const wait = timeOf(live) - timeOf(joined);
        assert.ok(wait <= 150, `the first frame came ${wait} ms after the join`);
      } finally {
        await receiver.stop();
      }
    }
  } finally {
    await sender.stop();
  }
});

Deno.test("a sender restarted under a running receiver is joined before its first frame", async () => {
  await withClip(CAMERA_720P, async (clip) => {
    const pair = await startPair({ sender: ["--source", clip, "--loop"] });
    let restarted: ToolProcess | undefined;
    try {
      await at(pair, 3000);
      const address = String((await pair.sender.waitFor("listening")).address);
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        await (restarted ?? pair.sender).stop(signal);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const before = pair.receiver.events.length;
        const after = (line: LogLine) => pair.receiver.events.indexOf(line) >= before;
        const shown = (await receiverStats(pair.url)).framesReceived;
        restarted = new ToolProcess("sender", ["--source", clip, "--loop", "--listen", address]);
        // The first frame of the new run, as the receiver's counters show it.
        let firstShownAt: number | undefined;
        while (firstShownAt === undefined) {
          if ((await receiverStats(pair.url)).framesReceived > shown) firstShownAt = Date.now();
          else await new Promise((resolve) => setTimeout(resolve, 10));
        }
        const first = await restarted.waitFor("listening");
        const joined = await pair.receiver.waitFor("joined", after, 10_000);
        assert.ok(
          timeOf(joined) <= timeOf(first),
          `after ${signal}: joined ${timeOf(joined) - timeOf(first)} ms after the first frame`,
        );
        const wait = firstShownAt - timeOf(first);
        assert.ok(
          wait <= 150,
          `after ${signal}: the first frame came ${wait} ms after the sender's`,
        );
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
      const stats = await receiverStats(pair.url);
      assert.equal(stats.state, "live");
    } finally {
      await restarted?.stop();
      await stopPair(pair);
    }
  });
});
