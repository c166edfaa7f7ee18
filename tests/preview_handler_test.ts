import assert from "node:assert/strict";
import { LatestValue } from "../lib/latest_value.ts";
import { BOUNDARY } from "../lib/mjpeg.ts";
import { createPreviewHandler } from "../lib/preview_handler.ts";
import type { ReceivedFrame } from "../lib/frame.ts";

function frame(n: number): ReceivedFrame {
  return {
    data: Uint8Array.of(0xff, 0xd8, n, 0xff, 0xd9),
    captureTime: 1000 + n,
    localCaptureTime: 2000 + n,
    receivedAt: 3000 + n,
    width: 2,
    height: 2,
    frame: n,
  };
}

function setup() {
  const frames = new LatestValue<ReceivedFrame>();
  const handler = createPreviewHandler({ frames, stats: () => ({ state: "live" }) });
  return { frames, handler };
}

const get = (path: string) => new Request(`http://127.0.0.1${path}`);

/** Reads from the stream until `count` whole JPEG parts have come, and returns their bytes. */
async function readParts(reader: ReadableStreamDefaultReader<Uint8Array>, count: number) {
  const decoder = new TextDecoder("latin1");
  const parts: string[] = [];
  let text = "";
  while (parts.length < count) {
    const { value } = await reader.read();
    text += decoder.decode(value);
    const match = /Content-Length: (\d+)\r\n(?:[^\r]+\r\n)*\r\n/.exec(text);
    if (match && text.length >= match.index + match[0].length + Number(match[1])) {
      const start = match.index + match[0].length;
      parts.push(text.slice(start, start + Number(match[1])));
      text = text.slice(start + Number(match[1]));
    }
  }
  return parts;
}

Deno.test("/stream.mjpg sends whole JPEG parts with length and timestamp headers", async () => {
  const { frames, handler } = setup();
  const response = handler(get("/stream.mjpg"));
  assert.equal(
    response.headers.get("content-type"),
    `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
  );
  frames.publish(frame(1));
  const reader = response.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.equal(first, `--${BOUNDARY}\r\n`);
  const header = new TextDecoder().decode((await reader.read()).value);
  assert.equal(
    header,
    "Content-Type: image/jpeg\r\nContent-Length: 5\r\nX-Timestamp: 2.001000\r\nX-Frame: 1\r\n\r\n",
  );
  assert.deepEqual((await reader.read()).value, frame(1).data);
  assert.equal(new TextDecoder().decode((await reader.read()).value), `\r\n--${BOUNDARY}\r\n`);
  await reader.cancel();
  assert.equal(handler.stats.viewers, 0);
});

Deno.test("/stream.mjpg gives a slow viewer the newest frame and counts the skipped ones", async () => {
  const { frames, handler } = setup();
  const reader = handler(get("/stream.mjpg")).body!.getReader();
  frames.publish(frame(1));
  await readParts(reader, 1);
  for (let n = 2; n <= 100; n++) frames.publish(frame(n));
  const [part] = await readParts(reader, 1);
  assert.equal(part.charCodeAt(2), 100, "the newest frame, not the next one");
  assert.equal(handler.stats.framesSkipped, 98);
  await reader.cancel();
});

Deno.test("/stream.mjpg serves 20 viewers at once, each at its own pace", async () => {
  const { frames, handler } = setup();
  const readers = Array.from({ length: 20 }, () => handler(get("/stream.mjpg")).body!.getReader());
  assert.equal(handler.stats.viewers, 20);
  frames.publish(frame(1));
  const parts = await Promise.all(readers.map((reader) => readParts(reader, 1)));
  assert.equal(parts.length, 20);
  for (const reader of readers) await reader.cancel();
  assert.equal(handler.stats.viewers, 0);
});

Deno.test("/stream.mjpg ends every viewer's stream when the frames close", async () => {
  const { frames, handler } = setup();
  const reader = handler(get("/stream.mjpg")).body!.getReader();
  await reader.read();
  frames.close();
  assert.equal((await reader.read()).done, true);
});

Deno.test("/snapshot.jpg is 503 with a clear body before the first frame, then the newest", async () => {
  const { frames, handler } = setup();
  const before = handler(get("/snapshot.jpg"));
  assert.equal(before.status, 503);
  assert.match(await before.text(), /waiting for the sender/);
  frames.publish(frame(1));
  frames.publish(frame(2));
  const after = handler(get("/snapshot.jpg"));
  assert.equal(after.status, 200);
  assert.equal(after.headers.get("content-type"), "image/jpeg");
  assert.deepEqual(new Uint8Array(await after.arrayBuffer()), frame(2).data);
});

Deno.test("/stats serves the receiver's stats with the viewers' counters", async () => {
  const { handler } = setup();
  const response = handler(get("/stats"));
  assert.equal(response.headers.get("content-type"), "application/json");
  const body = await response.json();
  assert.equal(body.state, "live");
  assert.deepEqual(body.preview, { viewers: 0, framesServed: 0, framesSkipped: 0 });
});

Deno.test("the preview serves its page, 404 for unknown paths and 405 for other methods", async () => {
  const { handler } = setup();
  const page = handler(get("/"));
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(await page.text(), /<img id="video" src="stream.mjpg"/);
  const missing = handler(get("/nope"));
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  const post = handler(new Request("http://127.0.0.1/stats", { method: "POST" }));
  assert.equal(post.status, 405);
  await post.body?.cancel();
});

Deno.test("HEAD /stream.mjpg answers with the headers and opens no stream", () => {
  const { handler } = setup();
  const response = handler(new Request("http://127.0.0.1/stream.mjpg", { method: "HEAD" }));
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type")!, /multipart\/x-mixed-replace/);
  assert.equal(response.body, null);
  assert.equal(handler.stats.viewers, 0);
});

Deno.test("/stream.mjpg: a viewer that stops reading holds back no other viewer", async () => {
  const { frames, handler } = setup();
  const idle = handler(get("/stream.mjpg")).body!.getReader();
  const active = handler(get("/stream.mjpg")).body!.getReader();
  for (let n = 1; n <= 10; n++) {
    const reading = readParts(active, 1);
    frames.publish(frame(n));
    const [part] = await reading;
    assert.equal(part.charCodeAt(2), n);
  }
  assert.equal(handler.stats.viewers, 2);
  await idle.cancel();
  await active.cancel();
});
