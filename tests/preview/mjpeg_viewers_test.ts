import assert from "node:assert/strict";
import { LatestValue } from "../../lib/hub/latest_value.ts";
import type { ReceivedFrame } from "../../lib/hub/frame.ts";
import { createPreviewHandler } from "../../lib/preview/preview_handler.ts";
import { frame, get, setup } from "./_preview_fixture.ts";

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
  const boundary = boundaryOf(response);
  assert.equal(
    response.headers.get("content-type"),
    `multipart/x-mixed-replace; boundary=${boundary}`,
  );
  frames.publish(frame(1));
  const reader = response.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.equal(first, `--${boundary}\r\n`);
  const header = new TextDecoder().decode((await reader.read()).value);
  assert.equal(
    header,
    "Content-Type: image/jpeg\r\nContent-Length: 5\r\nX-Timestamp: 2.001000\r\nX-Frame: 1\r\n\r\n",
  );
  assert.deepEqual((await reader.read()).value, frame(1).data);
  assert.equal(new TextDecoder().decode((await reader.read()).value), `\r\n--${boundary}\r\n`);
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

Deno.test("/stream.mjpg?fps=N caps that viewer's rate and no other's", async () => {
  const { frames, handler } = setup();
  const full = handler(get("/stream.mjpg")).body!.getReader();
  const capped = handler(get("/stream.mjpg?fps=5")).body!.getReader();
  const counts = { full: 0, capped: 0 };
  let publishing = true;
  const count = async (reader: ReadableStreamDefaultReader<Uint8Array>, key: "full" | "capped") => {
    while (publishing) {
      await readParts(reader, 1);
      counts[key]++;
    }
  };
  const reading = [count(full, "full"), count(capped, "capped")];
  // 50 frames a second for 2 s.
  for (let n = 1; n <= 100; n++) {
    frames.publish(frame(n));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  publishing = false;
  frames.publish(frame(101));
  await Promise.all(reading);
  await full.cancel();
  await capped.cancel();
  assert.ok(counts.full >= 80, `the uncapped viewer got ${counts.full} of 101 frames`);
  // 5 a second for the 2 s or so the frames took: 10, give or take the ends.
  assert.ok(counts.capped >= 8 && counts.capped <= 13, `the capped viewer got ${counts.capped}`);
  assert.ok(handler.stats.framesCapped >= 80, `${handler.stats.framesCapped} capped`);
  assert.ok(handler.stats.framesSkipped < 20, `${handler.stats.framesSkipped} skipped`);
});

Deno.test("/stream.mjpg?fps= answers 400 to a rate out of range or not a number", async () => {
  const { handler } = setup();
  for (const fps of ["0", "-1", "abc", "1e9", "Infinity", "0.01"]) {
    const response = handler(get(`/stream.mjpg?fps=${fps}`));
    assert.equal(response.status, 400, fps);
    assert.match(await response.text(), /fps must be a number from 0\.1 to 1000/);
  }
  assert.equal(handler.stats.viewers, 0);
  const ok = handler(get("/stream.mjpg?fps=0.5"));
  assert.equal(ok.status, 200);
  await ok.body!.cancel();
});

/** The boundary a response's Content-Type names. */
function boundaryOf(response: Response): string {
  return /boundary=([^;]+)$/.exec(response.headers.get("content-type") ?? "")?.[1] ?? "";
}

Deno.test("/stream.mjpg gives each response its own random boundary, which no frame holds", async () => {
  const { frames } = setup();
  const handler = createPreviewHandler({ frames, stats: () => ({}) });
  const responses = Array.from({ length: 20 }, () => handler(get("/stream.mjpg")));
  const boundaries = responses.map(boundaryOf);
  assert.equal(new Set(boundaries).size, 20, `boundaries: ${boundaries.slice(0, 3).join(", ")}`);
  for (const boundary of boundaries) {
    // RFC 2046: 1 to 70 characters of its alphabet, here letters and digits only.
    assert.match(boundary, /^[A-Za-z0-9]{24,70}$/);
  }
  // A frame that holds what a fixed boundary would be, and each response's own.
  const forged = new TextEncoder().encode(`\r\n--udpcamframe\r\n--${boundaries[0]}`);
  const jpeg = Uint8Array.of(0xff, 0xd8, ...forged, 0xff, 0xd9);
  frames.publish({ ...frame(1), data: jpeg });
  const reader = responses[1].body!.getReader();
  const [part] = await readParts(reader, 1);
  assert.equal(part.length, jpeg.length);
  assert.ok(
    !part.includes(`--${boundaries[1]}`),
    "the frame does not hold its response's boundary",
  );
  await reader.cancel();
  for (const response of responses.filter((r) => !r.body!.locked)) await response.body!.cancel();
  assert.equal(handler.stats.viewers, 0);
});

Deno.test("/stream.mjpg drops viewers that take nothing for stallMs, and frees their places", async () => {
  const frames = new LatestValue<ReceivedFrame>();
  const handler = createPreviewHandler({ frames, stats: () => ({}), maxViewers: 3, stallMs: 200 });
  // One never reads at all; one reads a frame and then stops; one keeps reading.
  const silent = handler(get("/stream.mjpg")).body!.getReader();
  const stopping = handler(get("/stream.mjpg")).body!.getReader();
  const reading = handler(get("/stream.mjpg")).body!.getReader();
  assert.equal(handler(get("/stream.mjpg")).status, 503, "full");
  let publishing = true;
  const publisher = (async () => {
    for (let n = 1; publishing; n++) {
      frames.publish(frame(n));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  await readParts(stopping, 1);
  const started = performance.now();
  let read = 0;
  while (performance.now() - started < 600) {
    await readParts(reading, 1);
    read++;
  }
  assert.equal(handler.stats.viewers, 1, "the two that took nothing for 200 ms are gone");
  assert.equal(handler.stats.viewersDropped, 2);
  assert.ok(read >= 10, `the reading viewer got ${read} frames`);
  await assert.rejects(silent.read(), /took nothing for 0\.2 s/);
  await assert.rejects(stopping.read(), /took nothing for 0\.2 s/);
  const next = handler(get("/stream.mjpg"));
  assert.equal(next.status, 200, "a place is free again");
  const nextReader = next.body!.getReader();
  await readParts(nextReader, 1);
  publishing = false;
  await publisher;
  await reading.cancel();
  await nextReader.cancel();
  assert.equal(handler.stats.viewers, 0);
});

Deno.test("/stream.mjpg keeps a viewer of ?fps=0.1 that reads each frame it is given", async () => {
  const frames = new LatestValue<ReceivedFrame>();
  const handler = createPreviewHandler({ frames, stats: () => ({}), stallMs: 200 });
  const reader = handler(get("/stream.mjpg?fps=0.1")).body!.getReader();
  frames.publish(frame(1));
  await readParts(reader, 1);
  await reader.read(); // the boundary after the frame
  // It asks for more at once; its next frame is 10 s away: waiting for it is not stalling.
  const asking = reader.read();
  frames.publish(frame(2));
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(handler.stats.viewers, 1);
  assert.equal(handler.stats.viewersDropped, 0);
  await reader.cancel();
  assert.equal((await asking).done, true);
});

Deno.test("/stream.mjpg, full, lets a new viewer in place of one that took nothing for stallMs / 5", async () => {
  const frames = new LatestValue<ReceivedFrame>();
  const handler = createPreviewHandler({ frames, stats: () => ({}), maxViewers: 2, stallMs: 1000 });
  const stuck = handler(get("/stream.mjpg")).body!.getReader();
  const reading = handler(get("/stream.mjpg")).body!.getReader();
  const asking = reading.read(); // the preamble, then a read waits for a frame
  await asking;
  const waiting = reading.read();
  // Both in their first 200 ms: neither gives way.
  assert.equal(handler(get("/stream.mjpg")).status, 503);
  await new Promise((resolve) => setTimeout(resolve, 250));
  // The one that took nothing gives way; the one waiting for a frame is not stalled.
  const next = handler(get("/stream.mjpg"));
  assert.equal(next.status, 200);
  await assert.rejects(stuck.read(), /took nothing for 0\.[2-9] s and gave way to a new one/);
  assert.equal(handler.stats.viewers, 2);
  assert.equal(handler.stats.viewersDropped, 1);
  assert.equal(handler(get("/stream.mjpg")).status, 503, "the waiting viewer keeps its place");
  frames.publish(frame(1));
  assert.equal((await waiting).done, false);
  await reading.cancel();
  await next.body!.cancel();
  assert.equal(handler.stats.viewers, 0);
});
