import assert from "node:assert/strict";
import { jpegDimensions } from "../../lib/image/jpeg_dimensions.ts";
import { MAX_DATAGRAM } from "../../lib/wire/mod.ts";
import { readMjpeg } from "../_mjpeg_client.ts";
import { clipFrames, digest, withClip } from "../_media.ts";
import { alive, childPids } from "../_proc.ts";
import { freeUdpPort, startReceiver, startSender, ToolProcess } from "../_tool.ts";

async function stats(url: string): Promise<Record<string, unknown>> {
  return await (await fetch(`${url}stats`)).json();
}

const LARGE_CLIP = { width: 1920, height: 1080, fps: 30, seconds: 2, noise: 10, qscale: 8 };
const SMALL_CLIP = { width: 320, height: 240, fps: 15, seconds: 1, noise: 0, qscale: 5 };

Deno.test("a 1080p file whose frames exceed 64 KB reaches an HTTP viewer whole", async () => {
  await withClip(LARGE_CLIP, async (clip) => {
    const source = await clipFrames(clip);
    assert.ok(source.every((f) => f.length > MAX_DATAGRAM), "every source frame exceeds 64 KB");
    const known = new Set(await Promise.all(source.map((f) => digest(f.slice()))));

    const [sender, port] = await startSender(["--source", clip, "--loop", "--copy"]);
    const [receiver, url] = await startReceiver(port);
    try {
      await receiver.waitFor("state", (e) => e.to === "live");
      const parts: Array<{ body: Uint8Array; headers: Record<string, string>; readAt: number }> =
        [];
      await readMjpeg(`${url}stream.mjpg`, { durationMs: 3000, onPart: (p) => parts.push(p) });
      // Skip the first half second while the viewer settles in.
      const start = parts[0].readAt + 500;
      const measured = parts.filter((p) => p.readAt >= start);
      const seconds = (measured.at(-1)!.readAt - measured[0].readAt) / 1000;
      const fps = (measured.length - 1) / seconds;
      assert.ok(seconds >= 2, `read ${seconds} s`);
      assert.ok(fps >= 27, `${fps.toFixed(1)} fps from a 30 fps source`);
      for (const part of parts) {
        assert.equal(part.headers["content-type"], "image/jpeg");
        assert.ok(Number(part.headers["x-timestamp"]) > 1e9, "a capture timestamp in seconds");
        assert.deepEqual(jpegDimensions(part.body), { width: 1920, height: 1080 });
        assert.ok(known.has(await digest(part.body.slice())), "byte for byte a source frame");
      }
      const s = await stats(url);
      assert.equal(s.state, "live");
      assert.equal(s.width, 1920);
    } finally {
      await receiver.stop();
      await sender.stop();
    }
  });
});

Deno.test("three receivers share one sender; a killed one stops getting datagrams within 6 s", async () => {
  const [sender, port] = await startSender(["--source", "test", "--fps", "15"]);
  const receivers = await Promise.all([1, 2, 3].map(() => startReceiver(port)));
  try {
    for (const [receiver] of receivers) await receiver.waitFor("state", (e) => e.to === "live");
    await sender.waitFor("receiver_joined", (e) => e.receivers === 3);
    for (const [, url] of receivers) {
      const s = await stats(url);
      assert.ok((s.framesReceived as number) > 0);
    }
    const [victim, , victimPort] = receivers[0];
    await victim.stop("SIGKILL");
    const killedAt = Date.now();
    // Take the dead receiver's port and count what still arrives there.
    const socket = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: victimPort });
    let lastArrival = killedAt;
    const listening = (async () => {
      const buffer = new Uint8Array(65_536);
      try {
        for (;;) {
          await socket.receive(buffer);
          lastArrival = Date.now();
        }
      } catch {
        // Closed.
      }
    })();
    const left = await sender.waitFor(
      "receiver_left",
      (e) => e.address === `127.0.0.1:${victimPort}`,
      8000,
    );
    assert.equal(left.reason, "timeout");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    socket.close();
    await listening;
    assert.ok(lastArrival > killedAt, "video still came right after the kill");
    assert.ok(lastArrival - killedAt <= 6000, `datagrams for ${lastArrival - killedAt} ms`);
    // The others still get video.
    for (const [, url] of receivers.slice(1)) assert.equal((await stats(url)).state, "live");
  } finally {
    for (const [receiver] of receivers.slice(1)) await receiver.stop();
    await sender.stop();
  }
});

Deno.test("a receiver follows a sender restarted on the same port, on its own", async () => {
  const port = freeUdpPort();
  const args = ["--source", "test", "--fps", "15"];
  let sender = new ToolProcess("sender", ["--listen", `127.0.0.1:${port}`, ...args]);
  await sender.waitFor("listening");
  const [receiver, url] = await startReceiver(port);
  try {
    const first = await receiver.waitFor("joined");
    await receiver.waitFor("state", (e) => e.to === "live");
    await sender.stop("SIGKILL");
    await receiver.waitFor("state", (e) => e.to === "waiting", 6000);
    assert.equal((await stats(url)).state, "waiting");
    const snapshot = await fetch(`${url}snapshot.jpg`);
    assert.equal(snapshot.status, 200, "the last frame stays on show");
    await snapshot.body?.cancel();

    sender = new ToolProcess("sender", ["--listen", `127.0.0.1:${port}`, ...args]);
    const restarted = await receiver.waitFor("sender_restarted", () => true, 10_000);
    assert.equal(restarted.from, first.session);
    const after = receiver.events.indexOf(restarted);
    await receiver.waitFor("state", (e) => e.to === "live" && receiver.events.indexOf(e) > after);
    assert.equal((await stats(url)).state, "live");
  } finally {
    await receiver.stop();
    await sender.stop();
  }
});

Deno.test("a sender stopped by SIGTERM says goodbye and leaves no ffmpeg behind", async () => {
  await withClip(SMALL_CLIP, async (clip) => {
    const [sender, port] = await startSender(["--source", clip, "--loop"]);
    const [receiver] = await startReceiver(port);
    try {
      await receiver.waitFor("state", (e) => e.to === "live");
      const children = await childPids(sender.child.pid);
      assert.ok(children.length > 0, "ffmpeg runs under the sender");
      const status = await sender.stop("SIGTERM");
      assert.equal(status.code, 0);
      await receiver.waitFor(
        "state",
        (e) => e.to === "waiting" && e.reason === "sender said goodbye",
      );
      for (const pid of children) assert.equal(await alive(pid), false, `ffmpeg ${pid} is gone`);
    } finally {
      await receiver.stop();
      await sender.stop();
    }
  });
});

Deno.test("a sender killed with SIGKILL leaves no ffmpeg behind", async () => {
  await withClip(SMALL_CLIP, async (clip) => {
    const [sender] = await startSender(["--source", clip, "--loop"]);
    await sender.waitFor("source_started");
    const children = await childPids(sender.child.pid);
    assert.ok(children.length > 0, "ffmpeg runs under the sender");
    await sender.stop("SIGKILL");
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await Promise.all(children.map(alive))).some((a) => a)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const pid of children) assert.equal(await alive(pid), false, `ffmpeg ${pid} is gone`);
  });
});

Deno.test("twenty HTTP viewers watch one receiver at once", async () => {
  const [sender, port] = await startSender(["--source", "test", "--fps", "15"]);
  const [receiver, url] = await startReceiver(port);
  try {
    await receiver.waitFor("state", (e) => e.to === "live");
    const counts = await Promise.all(Array.from({ length: 20 }, async () => {
      let parts = 0;
      await readMjpeg(`${url}stream.mjpg`, { durationMs: 2500, onPart: () => parts++ });
      return parts;
    }));
    for (const count of counts) assert.ok(count >= 15, `a viewer got only ${count} frames`);
  } finally {
    await receiver.stop();
    await sender.stop();
  }
});

Deno.test("ffmpeg reads /stream.mjpg as a standard MJPEG client", async () => {
  const [sender, port] = await startSender(["--source", "test", "--fps", "15"]);
  const [receiver, url] = await startReceiver(port);
  try {
    await receiver.waitFor("state", (e) => e.to === "live");
    const { code, stdout, stderr } = await new Deno.Command("ffmpeg", {
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "mpjpeg",
        "-i",
        `${url}stream.mjpg`,
        "-frames:v",
        "10",
        "-f",
        "framemd5",
        "-",
      ],
      stdin: "null",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const frames = new TextDecoder().decode(stdout).split("\n").filter((l) => /^0,/.test(l));
    assert.equal(frames.length, 10, "ffmpeg decoded ten frames");
    const hashes = new Set(frames.map((line) => line.split(",").at(-1)!.trim()));
    assert.ok(hashes.size > 1, "the decoded pictures move");
  } finally {
    await receiver.stop();
    await sender.stop();
  }
});
