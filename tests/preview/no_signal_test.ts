import assert from "node:assert/strict";
import { Image } from "imagescript";
import { jpegDimensions } from "../../lib/image/jpeg_dimensions.ts";
import { type MjpegPart, readMjpeg } from "../_mjpeg_client.ts";
import { freeUdpPort, startReceiver, startSender } from "../_tool.ts";

/** The built-in test pattern, at 10 fps. */
const TEST_SOURCE = ["--source", "test", "--fps", "10"];

const KEY = "a shared secret for the tests, long enough";

/** Resolves once `done()` holds, checking every 50 ms; throws after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The first part a new `/stream.mjpg` viewer gets that is marked
 * `X-Signal: signal`, connecting again until one is, for up to `timeoutMs`.
 */
async function firstSignalPart(url: string, signal: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const seen: string[] = [];
  while (Date.now() < deadline) {
    let first: MjpegPart | undefined;
    await readMjpeg(`${url}stream.mjpg`, {
      durationMs: deadline - Date.now(),
      maxParts: 1,
      onPart: (part) => first = part,
    });
    if (first === undefined) break;
    seen.push(first.headers["x-signal"] ?? "video");
    if (first.headers["x-signal"] === signal) return first;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no "${signal}" part within ${timeoutMs} ms; parts: ${seen.join(", ")}`);
}

async function snapshot(url: string) {
  const response = await fetch(`${url}snapshot.jpg`);
  const body = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, signal: response.headers.get("x-signal"), body };
}

Deno.test("the stream shows a no-signal frame of the last frame's size once the sender stops, drawn anew each second", async () => {
  const [sender, port] = await startSender([...TEST_SOURCE, "--width", "320"]);
  const [receiver, url] = await startReceiver(port);
  try {
    await receiver.waitFor("state", (e) => e.to === "live");
    const parts: MjpegPart[] = [];
    const reading = readMjpeg(`${url}stream.mjpg`, {
      durationMs: 5000,
      onPart: (part) => parts.push(part),
    });
    await until(() => parts.filter((p) => !p.headers["x-signal"]).length >= 5, 4000, "video");
    await sender.stop();
    const stoppedAt = Date.now();
    await receiver.waitFor("state", (e) => e.to === "waiting");
    await until(() => parts.filter((p) => p.headers["x-signal"]).length >= 3, 5000, "redraws");
    const shot = await snapshot(url);
    await reading;

    const firstLost = parts.findIndex((p) => p.headers["x-signal"] !== undefined);
    const real = parts.slice(0, firstLost);
    const lost = parts.slice(firstLost);
    assert.ok(real.every((p) => p.headers["x-signal"] === undefined));
    assert.ok(lost.every((p) => p.headers["x-signal"] === "lost"), "no video after the loss");
    const size = jpegDimensions(real.at(-1)!.body);
    assert.deepEqual(size, { width: 320, height: 180 });
    const delay = lost[0].readAt - stoppedAt;
    assert.ok(delay < 3000, `the no-signal frame came ${delay} ms after the sender stopped`);
    for (const part of lost) {
      assert.equal(part.headers["content-type"], "image/jpeg");
      const image = await Image.decode(part.body);
      assert.deepEqual({ width: image.width, height: image.height }, size);
    }
    for (let i = 1; i < lost.length; i++) {
      assert.notDeepEqual(lost[i].body, lost[i - 1].body, "the redrawn frame did not change");
      // Redraws start a second apart; the first drawing at a new size takes longer.
      const gap = lost[i].readAt - lost[i - 1].readAt;
      if (i > 1) assert.ok(gap > 600 && gap < 2000, `redrawn ${gap} ms after the one before`);
    }

    assert.equal(shot.status, 200);
    assert.equal(shot.signal, "lost");
    const image = await Image.decode(shot.body);
    assert.deepEqual({ width: image.width, height: image.height }, size);
    assert.equal((await (await fetch(`${url}stats`)).json()).state, "waiting");
  } finally {
    await receiver.stop();
    await sender.stop();
  }
});

Deno.test("a receiver with no sender shows the waiting placeholder to a plain MJPEG client", async () => {
  const [receiver, url] = await startReceiver(freeUdpPort());
  try {
    const part = await firstSignalPart(url, "waiting", 8000);
    const image = await Image.decode(part.body);
    assert.deepEqual([image.width, image.height], [640, 360]);
    const shot = await snapshot(url);
    assert.equal(shot.status, 200);
    assert.equal(shot.signal, "waiting");

    // ffmpeg knows nothing of X-Signal: it decodes the placeholder as video.
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
        "1",
        "-f",
        "framemd5",
        "-",
      ],
      stdin: "null",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const out = new TextDecoder().decode(stdout);
    assert.match(out, /^#dimensions 0: 640x360$/m);
    assert.equal(out.split("\n").filter((line) => /^0,/.test(line)).length, 1);
  } finally {
    await receiver.stop();
  }
});

Deno.test("a receiver refused by the sender says so in the stream", async () => {
  const [sender, port] = await startSender([...TEST_SOURCE, "--key", KEY]);
  const [receiver, url] = await startReceiver(port);
  try {
    await receiver.waitFor("state", (e) => e.to === "refused", 5000);
    const part = await firstSignalPart(url, "refused", 5000);
    const image = await Image.decode(part.body);
    assert.deepEqual([image.width, image.height], [640, 360]);
    assert.equal((await snapshot(url)).signal, "refused");
  } finally {
    await receiver.stop();
    await sender.stop();
  }
});
