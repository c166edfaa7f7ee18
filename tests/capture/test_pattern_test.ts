import assert from "node:assert/strict";
import { Image } from "imagescript";
import { overlayFontSize, overlayMargin } from "../../lib/overlay/overlay_layout.ts";
import { parseOverlayText } from "../../lib/overlay/overlay_text.ts";
import { renderTestPattern, TestPatternSource } from "../../lib/capture/test_pattern.ts";
import { runScript } from "../_tool.ts";

/** A time at which the box is at the far left, 0.5 ms past a whole second. */
const TIME = Date.UTC(2024, 0, 1, 12, 0, 0, 0) + 0.5;

/** Rows of the pattern: the bars with the moving box, and the clock's band. */
function regions(height: number) {
  return {
    bars: { top: 0, bottom: Math.round(height * 0.6) },
    clock: { top: Math.round(height * 0.72), bottom: Math.round(height * 0.86) },
  };
}

/** How many pixels of rows [top, bottom) differ by more than JPEG noise. */
function differingPixels(a: Image, b: Image, rows: { top: number; bottom: number }): number {
  let count = 0;
  for (let i = rows.top * a.width * 4; i < rows.bottom * a.width * 4; i += 4) {
    const delta = Math.abs(a.bitmap[i] - b.bitmap[i]) +
      Math.abs(a.bitmap[i + 1] - b.bitmap[i + 1]) +
      Math.abs(a.bitmap[i + 2] - b.bitmap[i + 2]);
    if (delta > 60) count++;
  }
  return count;
}

Deno.test("renderTestPattern() returns a JPEG of the requested size", async () => {
  for (const [width, height] of [[640, 360], [320, 240], [16, 16]]) {
    const jpeg = await renderTestPattern(0, TIME, { width, height, quality: 70 });
    assert.deepEqual(Array.from(jpeg.subarray(0, 2)), [0xff, 0xd8]);
    assert.deepEqual(Array.from(jpeg.subarray(-2)), [0xff, 0xd9]);
    const image = await Image.decode(jpeg);
    assert.deepEqual([image.width, image.height], [width, height]);
  }
});

Deno.test("renderTestPattern() defaults to 640x360", async () => {
  const image = await Image.decode(await renderTestPattern(0, TIME));
  assert.deepEqual([image.width, image.height], [640, 360]);
});

Deno.test("renderTestPattern() is the same for the same frame and time", async () => {
  assert.deepEqual(await renderTestPattern(3, TIME), await renderTestPattern(3, TIME));
});

Deno.test("renderTestPattern() frames at different times differ in the box and the clock", async () => {
  const { bars, clock } = regions(360);
  const first = await Image.decode(await renderTestPattern(0, TIME));
  const later = await Image.decode(await renderTestPattern(1, TIME + 1000));
  assert.ok(differingPixels(first, later, bars) > 1000, "the box did not move");
  assert.ok(differingPixels(first, later, clock) > 100, "the clock did not change");
  const below = { top: clock.bottom, bottom: 360 };
  assert.equal(differingPixels(first, later, below), 0, "the label changed");
});

Deno.test("renderTestPattern() frames a few milliseconds apart differ in the clock", async () => {
  const { clock } = regions(360);
  const first = await Image.decode(await renderTestPattern(0, TIME));
  const later = await Image.decode(await renderTestPattern(0, TIME + 7));
  assert.ok(differingPixels(first, later, clock) > 20);
});

Deno.test("renderTestPattern() draws the clock over its plain band", async () => {
  const { clock } = regions(360);
  const image = await Image.decode(await renderTestPattern(0, TIME));
  let light = 0;
  for (let y = clock.top; y < clock.bottom; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.bitmap[(y * image.width + x) * 4] > 160) light++;
    }
  }
  // The band itself is dark grey; "HH:MM:SS.mmm #000000" at this size lights thousands.
  assert.ok(light > 2000, `only ${light} light pixels in the clock band`);
});

/** How many pixels of a rectangle differ by more than JPEG noise. */
function differingIn(
  a: Image,
  b: Image,
  rect: { x: number; y: number; width: number; height: number },
): number {
  let count = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const i = (y * a.width + x) * 4;
      const delta = Math.abs(a.bitmap[i] - b.bitmap[i]) +
        Math.abs(a.bitmap[i + 1] - b.bitmap[i + 1]) +
        Math.abs(a.bitmap[i + 2] - b.bitmap[i + 2]);
      if (delta > 60) count++;
    }
  }
  return count;
}

Deno.test("renderTestPattern() draws an overlay in its corner and leaves the rest alone", async () => {
  const size = { width: 640, height: 360 };
  const plain = await Image.decode(await renderTestPattern(5, TIME, size));
  const margin = overlayMargin(size.height);
  // The box is a line of text tall, plus padding; half the width is room for 8 characters.
  const boxHeight = Math.round(overlayFontSize(size.height) * 1.6);
  const corners = {
    "top-left": { x: 0, y: 0 },
    "top-right": { x: size.width / 2, y: 0 },
    "bottom-left": { x: 0, y: size.height - margin - boxHeight },
    "bottom-right": { x: size.width / 2, y: size.height - margin - boxHeight },
  };
  for (const position of ["top-left", "bottom-right"] as const) {
    const overlay = { parts: parseOverlayText("{time}"), position, host: "cam", fps: 30 };
    const drawn = await Image.decode(await renderTestPattern(5, TIME, { ...size, overlay }));
    for (const [corner, origin] of Object.entries(corners)) {
      const rect = { ...origin, width: size.width / 2, height: margin + boxHeight };
      const changed = differingIn(plain, drawn, rect);
      if (corner === position) assert.ok(changed > 300, `${position}: ${changed} pixels changed`);
      else assert.equal(changed, 0, `${position} changed the ${corner} corner`);
    }
  }
});

Deno.test("renderTestPattern() shows the frame's time in the overlay", async () => {
  const size = { width: 640, height: 360 };
  const overlay = {
    parts: parseOverlayText("{time}"),
    position: "top-left" as const,
    host: "",
    fps: 30,
  };
  const rect = { x: 0, y: 0, width: 320, height: 60 };
  // The box stays where it was; only the clock in the overlay differs.
  const first = await Image.decode(await renderTestPattern(5, TIME, { ...size, overlay }));
  const same = await Image.decode(await renderTestPattern(6, TIME + 300, { ...size, overlay }));
  const later = await Image.decode(await renderTestPattern(5, TIME + 1000, { ...size, overlay }));
  assert.equal(differingIn(first, same, rect), 0, "the same second shows the same");
  assert.ok(differingIn(first, later, rect) > 10, "a second later shows another time");
});

Deno.test("TestPatternSource draws its overlay with its own frame rate for {fps}", async () => {
  const size = { width: 320, height: 180 };
  const overlay = { parts: parseOverlayText("{fps}"), position: "top-left" as const, host: "" };
  const rect = { x: 0, y: 0, width: 160, height: 40 };
  const frame = async (fps: number) => {
    const source = new TestPatternSource({ ...size, fps, overlay, now: () => TIME });
    try {
      for await (const { data } of source.frames()) return await Image.decode(data);
      throw new Error("no frame");
    } finally {
      await source.close();
    }
  };
  const at12 = await frame(12);
  const expected = await Image.decode(
    await renderTestPattern(0, TIME, { ...size, overlay: { ...overlay, fps: 12 } }),
  );
  const wrong = await Image.decode(
    await renderTestPattern(0, TIME, { ...size, overlay: { ...overlay, fps: 30 } }),
  );
  assert.equal(differingIn(at12, expected, rect), 0);
  assert.ok(differingIn(at12, wrong, rect) > 10);
});

Deno.test("renderTestPattern() rejects bad sizes, qualities and frames", async () => {
  await assert.rejects(renderTestPattern(0, TIME, { width: 0 }), RangeError);
  await assert.rejects(renderTestPattern(0, TIME, { height: 100.5 }), RangeError);
  await assert.rejects(renderTestPattern(0, TIME, { width: 9000 }), RangeError);
  await assert.rejects(renderTestPattern(0, TIME, { quality: 101 }), RangeError);
  await assert.rejects(renderTestPattern(0, TIME, { quality: 0 }), RangeError);
  await assert.rejects(renderTestPattern(-1, TIME), RangeError);
  await assert.rejects(renderTestPattern(0, NaN), RangeError);
});

Deno.test("TestPatternSource rejects bad options", () => {
  assert.throws(() => new TestPatternSource({ width: 0 }), RangeError);
  assert.throws(() => new TestPatternSource({ height: -360 }), RangeError);
  assert.throws(() => new TestPatternSource({ quality: 101 }), RangeError);
  assert.throws(() => new TestPatternSource({ fps: 0 }), RangeError);
  assert.throws(() => new TestPatternSource({ fps: -5 }), RangeError);
  assert.throws(() => new TestPatternSource({ fps: NaN }), RangeError);
  assert.throws(() => new TestPatternSource({ fps: Infinity }), RangeError);
});

Deno.test("TestPatternSource yields about fps frames a second", async () => {
  const source = new TestPatternSource({ width: 320, height: 180, fps: 10 });
  let count = 0;
  let start = 0;
  for await (const _frame of source.frames()) {
    // The first frame waits for the background and glyphs; count from it.
    if (start === 0) start = performance.now();
    else count++;
    if (performance.now() - start >= 1000) break;
  }
  await source.close();
  assert.ok(count >= 7 && count <= 13, `${count} frames in one second`);
});

Deno.test("TestPatternSource stamps each frame with the wall time it was drawn", async () => {
  const source = new TestPatternSource({ width: 64, height: 36, fps: 100 });
  const times: number[] = [];
  for await (const frame of source.frames()) {
    const now = performance.timeOrigin + performance.now();
    assert.ok(frame.captureTime <= now && frame.captureTime > now - 1000);
    times.push(frame.captureTime);
    if (times.length === 3) break;
  }
  await source.close();
  assert.ok(times[0] < times[1] && times[1] < times[2]);
  assert.ok(times.some((time) => !Number.isInteger(time)), "no sub-millisecond precision");
});

Deno.test("TestPatternSource takes its wall clock from the now option", async () => {
  async function firstFrame(time: number) {
    const source = new TestPatternSource({ width: 320, height: 180, now: () => time });
    try {
      for await (const frame of source.frames()) return frame;
      throw new Error("no frame");
    } finally {
      await source.close();
    }
  }
  const first = await firstFrame(TIME);
  assert.equal(first.captureTime, TIME);
  assert.deepEqual(await firstFrame(TIME), first);
  assert.notDeepEqual((await firstFrame(TIME + 1000)).data, first.data);
});

Deno.test("TestPatternSource skips ahead instead of queueing when the consumer is slow", async () => {
  const source = new TestPatternSource({ width: 64, height: 36, fps: 50 });
  const frames = source.frames();
  await frames.next();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const late = await frames.next();
  assert.equal(late.done, false);
  // A queued frame would be about 1000 ms old; a fresh one is not.
  const lag = performance.timeOrigin + performance.now() - late.value!.captureTime;
  assert.ok(lag < 500, `the frame after a pause is ${lag} ms old`);
  assert.ok(source.stats.framesSkipped >= 25, `skipped ${source.stats.framesSkipped}`);
  assert.equal(source.stats.framesRendered, 2);
  await source.close();
  assert.equal((await frames.next()).done, true);
});

Deno.test("TestPatternSource close() ends an iteration that is waiting for its next frame", async () => {
  const source = new TestPatternSource({ width: 64, height: 36, fps: 0.2 });
  const frames = source.frames();
  assert.equal((await frames.next()).done, false);
  const next = frames.next();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const start = performance.now();
  await source.close();
  assert.equal((await next).done, true);
  assert.ok(performance.now() - start < 2500, "well before the 5 s frame interval");
  await source.close();
});

Deno.test("TestPatternSource close() before iterating yields nothing", async () => {
  const source = new TestPatternSource({ width: 64, height: 36 });
  await source.close();
  for await (const _frame of source.frames()) assert.fail("yielded a frame after close()");
});

Deno.test("TestPatternSource refuses a second iteration at the same time", async () => {
  const source = new TestPatternSource({ width: 64, height: 36 });
  const first = source.frames();
  await first.next();
  await assert.rejects(source.frames().next(), Error);
  await source.close();
  assert.equal((await first.next()).done, true);
});

Deno.test("TestPatternSource works with only the sender's permissions", async () => {
  const { code, stdout, stderr } = await runScript(
    "sender",
    `
    import { TestPatternSource } from "./lib/capture/test_pattern.ts";
    const source = new TestPatternSource({ width: 160, height: 90, fps: 30 });
    let count = 0;
    for await (const frame of source.frames()) if (++count === 3) break;
    await source.close();
    console.log("frames " + count);
  `,
  );
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), "frames 3");
});

Deno.test("closing the test pattern while it encodes a frame does not crash the process", async () => {
  // The JPEG encoder runs on a thread of its own: a worker stopped under it
  // took the whole process down (SIGSEGV, exit 139) in every run of this.
  const { code, stdout, stderr } = await runScript(
    "sender",
    `
    import { TestPatternSource } from "./lib/capture/test_pattern.ts";
    for (let round = 0; round < 4; round++) {
      const source = new TestPatternSource({ width: 1920, height: 1080, fps: 60 });
      const frames = source.frames();
      await frames.next();
      const next = frames.next();
      await new Promise((resolve) => setTimeout(resolve, 5 + 10 * round));
      await source.close();
      await next;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    console.log("closed 4");
  `,
  );
  assert.equal(code, 0, `exit code ${code}: ${stderr}`);
  assert.equal(stdout.trim(), "closed 4");
});
