import assert from "node:assert/strict";
import { Image } from "imagescript";
import { noSignalFrameSize, renderNoSignalFrame } from "../../lib/preview/no_signal_frame.ts";
import { runScript } from "../_tool.ts";

/** 14:03:07 local time on a winter day, whatever the time zone. */
const LOST_AT = new Date(2024, 0, 15, 14, 3, 7).getTime();
const REASON =
  "the sender needs a key: give this receiver the same --key (or --key-file, UDPCAM_KEY)";

/** The drawn background, 0x101317, as the JPEG gives it back within noise. */
function isBackground(image: Image, x: number, y: number): boolean {
  const i = (y * image.width + x) * 4;
  const [r, g, b] = image.bitmap.subarray(i, i + 3);
  return Math.abs(r - 0x10) + Math.abs(g - 0x13) + Math.abs(b - 0x17) < 24;
}

/** How many pixels of the rectangle are not background. */
function inkIn(image: Image, x0: number, y0: number, x1: number, y1: number): number {
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) if (!isBackground(image, x, y)) count++;
  }
  return count;
}

/** How many pixels differ by more than JPEG noise. */
function differingPixels(a: Image, b: Image): number {
  let count = 0;
  for (let i = 0; i < a.bitmap.length; i += 4) {
    const delta = Math.abs(a.bitmap[i] - b.bitmap[i]) +
      Math.abs(a.bitmap[i + 1] - b.bitmap[i + 1]) +
      Math.abs(a.bitmap[i + 2] - b.bitmap[i + 2]);
    if (delta > 60) count++;
  }
  return count;
}

Deno.test("noSignalFrameSize() keeps a real frame's size up to 1920x1080 and shrinks a larger one keeping its shape", () => {
  const cases: Array<[[number, number], [number, number]]> = [
    [[640, 360], [640, 360]],
    [[1280, 720], [1280, 720]],
    [[1920, 1080], [1920, 1080]],
    [[3840, 2160], [1920, 1080]],
    [[4000, 1000], [1920, 480]],
    [[1080, 1920], [608, 1080]],
    [[2000, 2000], [1080, 1080]],
    [[8, 4], [16, 16]],
  ];
  for (const [[width, height], expected] of cases) {
    const size = noSignalFrameSize(width, height);
    assert.deepEqual([size.width, size.height], expected, `${width}x${height}`);
  }
  assert.throws(() => noSignalFrameSize(0, 360), RangeError);
  assert.throws(() => noSignalFrameSize(640.5, 360), RangeError);
});

Deno.test("renderNoSignalFrame() draws a JPEG the size of the last frame, 640x360 by default", async () => {
  const cases: Array<[number | undefined, number | undefined, number, number]> = [
    [undefined, undefined, 640, 360],
    [320, 240, 320, 240],
    [1280, 720, 1280, 720],
    [3840, 2160, 1920, 1080],
  ];
  for (const [width, height, expectedWidth, expectedHeight] of cases) {
    const jpeg = await renderNoSignalFrame({ width, height, lostAt: LOST_AT, now: LOST_AT });
    assert.deepEqual(Array.from(jpeg.subarray(0, 2)), [0xff, 0xd8]);
    assert.deepEqual(Array.from(jpeg.subarray(-2)), [0xff, 0xd9]);
    const image = await Image.decode(jpeg);
    assert.deepEqual([image.width, image.height], [expectedWidth, expectedHeight]);
  }
});

Deno.test("renderNoSignalFrame() draws text in the middle of a dark frame", async () => {
  const image = await Image.decode(
    await renderNoSignalFrame({ lostAt: LOST_AT, now: LOST_AT, reason: "sender said goodbye" }),
  );
  assert.ok(isBackground(image, 2, 2) && isBackground(image, 637, 357), "dark corners");
  const middle = inkIn(image, 0, 90, 640, 270);
  assert.ok(middle > 3000, `only ${middle} pixels of text in the middle`);
  const top = inkIn(image, 0, 0, 640, 40) + inkIn(image, 0, 320, 640, 360);
  assert.equal(top, 0, "nothing drawn at the top and bottom edges");
});

Deno.test("renderNoSignalFrame() frames at different times differ", async () => {
  const options = { lostAt: LOST_AT, reason: "sender said goodbye", sender: "192.0.2.7:5000" };
  const first = await renderNoSignalFrame({ ...options, now: LOST_AT + 5000 });
  const again = await renderNoSignalFrame({ ...options, now: LOST_AT + 5000 });
  const later = await renderNoSignalFrame({ ...options, now: LOST_AT + 65_000 });
  const earlier = await renderNoSignalFrame({ ...options, lostAt: LOST_AT - 3_600_000 });
  assert.deepEqual(first, again, "the same time draws the same frame");
  const [a, b, c] = await Promise.all([first, later, earlier].map((jpeg) => Image.decode(jpeg)));
  assert.ok(differingPixels(a, b) > 100, "the ago counter did not change");
  assert.ok(differingPixels(a, c) > 100, "the time lost did not change");
});

Deno.test("renderNoSignalFrame() wraps a long reason inside the margins of a small frame", async () => {
  for (const [width, height] of [[320, 180], [180, 320]]) {
    const image = await Image.decode(
      await renderNoSignalFrame({ signal: "refused", width, height, reason: REASON }),
    );
    const margin = Math.round(width * 0.05) - 1;
    const edges = inkIn(image, 0, 0, margin, height) +
      inkIn(image, width - margin, 0, width, height);
    assert.equal(edges, 0, `${width}x${height}: text reached the side edges`);
    const ink = inkIn(image, 0, 0, width, height);
    assert.ok(ink > 1000, `${width}x${height}: only ${ink} pixels of text`);
  }
});

Deno.test("renderNoSignalFrame() stays small: a mostly flat picture", async () => {
  const options = { signal: "refused" as const, reason: REASON, sender: "192.0.2.7:5000" };
  const small = await renderNoSignalFrame({ ...options, width: 640, height: 360 });
  const large = await renderNoSignalFrame({ ...options, width: 1920, height: 1080 });
  assert.ok(small.length < 40_000, `${small.length} bytes at 640x360`);
  assert.ok(large.length < 200_000, `${large.length} bytes at 1920x1080`);
});

Deno.test("renderNoSignalFrame() rejects a bad quality", async () => {
  await assert.rejects(renderNoSignalFrame({ quality: 0 }), RangeError);
  await assert.rejects(renderNoSignalFrame({ width: -1 }), RangeError);
});

Deno.test("closing the no-signal renderer while it encodes a frame does not crash the process", async () => {
  // The JPEG encoder runs on a thread of its own: a worker stopped under it
  // took the whole process down (SIGSEGV, exit 139) in every run of this.
  const { code, stdout, stderr } = await runScript(
    "receiver",
    `
    import { NoSignalRenderer } from "./lib/preview/no_signal_renderer.ts";
    for (let round = 0; round < 4; round++) {
      const renderer = new NoSignalRenderer();
      const started = performance.now();
      await renderer.render({ width: 1920, height: 1080 });
      const took = performance.now() - started;
      const next = renderer.render({ width: 1920, height: 1080 }).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 2 + (round * took) / 4));
      await renderer.close();
      await next;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    console.log("closed 4");
  `,
  );
  assert.equal(code, 0, `exit code ${code}: ${stderr}`);
  assert.equal(stdout.trim(), "closed 4");
});
