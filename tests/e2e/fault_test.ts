import assert from "node:assert/strict";
import { ImpairRelay } from "../../scripts/impair/impair_relay.ts";
import { withClip } from "../_media.ts";
import { alive, childPids } from "../_proc.ts";
import { type LogLine, startReceiver, startSender, ToolProcess } from "../_tool.ts";

const CLIP = { width: 320, height: 240, fps: 15, seconds: 6, noise: 0, qscale: 5 };

async function stats(url: string): Promise<Record<string, unknown>> {
  return await (await fetch(`${url}stats`)).json();
}

function after(tool: ToolProcess, mark: LogLine, match: (line: LogLine) => boolean) {
  return (line: LogLine) => tool.events.indexOf(line) > tool.events.indexOf(mark) && match(line);
}

/** The pid in a `source_started` event's detail: "ffmpeg pid 1234, 320x240". */
function ffmpegPid(event: LogLine): number {
  const match = /ffmpeg pid (\d+)/.exec(String(event.detail));
  assert.ok(match, `no pid in ${JSON.stringify(event)}`);
  return Number(match[1]);
}

Deno.test("ffmpeg killed mid-stream: the sender says so, starts it again, and video comes back", async () => {
  await withClip(CLIP, async (clip) => {
    const [sender, port] = await startSender(["--source", clip, "--loop"]);
    const [receiver, url] = await startReceiver(port);
    try {
      const started = await sender.waitFor("source_started");
      await receiver.waitFor("state", (e) => e.to === "live");
      const pid = ffmpegPid(started);
      Deno.kill(pid, "SIGKILL");
      const failed = await sender.waitFor("source_failed");
      assert.match(String(failed.error), /ffmpeg was stopped by SIGKILL/);
      await sender.waitFor("source_restarting");
      const again = await sender.waitFor("source_started", after(sender, failed, () => true));
      assert.notEqual(ffmpegPid(again), pid);
      const before = Number((await stats(url)).framesReceived);
      const deadline = Date.now() + 5000;
      while (Number((await stats(url)).framesReceived) < before + 15) {
        assert.ok(Date.now() < deadline, "frames come back after the restart");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal((await stats(url)).state, "live");
      assert.deepEqual(await childPids(sender.child.pid), [ffmpegPid(again)], "one ffmpeg");
      assert.equal(await alive(pid), false);
    } finally {
      await receiver.stop();
      await sender.stop();
    }
  });
});

Deno.test("ffmpeg killed while a file plays once: one error line, exit 1, nothing left behind", async () => {
  await withClip(CLIP, async (clip) => {
    const [sender] = await startSender(["--source", clip]);
    const started = await sender.waitFor("source_started");
    const pid = ffmpegPid(started);
    Deno.kill(pid, "SIGKILL");
    const status = await sender.child.status;
    await sender.stop();
    assert.equal(status.code, 1);
    const errors = sender.stderr.trim().split("\n").filter((line) => line.startsWith("error:"));
    assert.deepEqual(errors, ["error: the source stopped: ffmpeg was stopped by SIGKILL"]);
    assert.ok(!sender.stderr.includes("    at "), "no stack trace");
    assert.equal(await alive(pid), false);
  });
});

Deno.test("the network gone for 30 s: both sides say so, and the stream comes back on its own", async () => {
  const [sender, port] = await startSender(["--source", "test", "--fps", "15"]);
  const relay = new ImpairRelay({
    listen: { hostname: "127.0.0.1", port: 0 },
    target: { hostname: "127.0.0.1", port },
  });
  const [receiver, url] = await startReceiver(relay.addr.port);
  try {
    const joined = await sender.waitFor("receiver_joined");
    await receiver.waitFor("state", (e) => e.to === "live");
    relay.blackout = true;
    const gone = Date.now();
    const waiting = await receiver.waitFor("state", (e) => e.to === "waiting", 6000);
    assert.equal(waiting.reason, "sender silent");
    const left = await sender.waitFor("receiver_left", (e) => e.address === joined.address, 8000);
    assert.equal(left.reason, "timeout");
    assert.equal((await stats(url)).state, "waiting");
    const snapshot = await fetch(`${url}snapshot.jpg`);
    assert.equal(snapshot.status, 200, "the last frame stays on show");
    await snapshot.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() - gone)));
    assert.ok(relay.counters.up.blackoutDrops > 20, "the receiver kept asking");
    relay.blackout = false;
    const back = Date.now();
    await sender.waitFor("receiver_joined", after(sender, left, () => true), 5000);
    await receiver.waitFor("state", after(receiver, waiting, (e) => e.to === "live"), 5000);
    assert.ok(Date.now() - back < 5000);
    assert.equal((await stats(url)).state, "live");
  } finally {
    await receiver.stop();
    await relay.close();
    await sender.stop();
  }
});
