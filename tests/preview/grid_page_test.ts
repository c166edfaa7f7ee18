/**
 * The grid page, its parts tried on their own (the multipart reader, the
 * layout rule, the latency window, the reading of `/stats`) and the whole
 * page in Chromium against a stand-in station (`_grid_fixture.ts`).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { MAX_FRAME_BYTES } from "../../lib/hub/frame.ts";
import {
  boundaryOf,
  type Part,
  PartCutter,
  PartStream,
} from "../../lib/preview/grid_page_part_stream.ts";
import { gridColumns } from "../../lib/preview/grid_page_columns.ts";
import { GoneCameras } from "../../lib/preview/grid_page_gone.ts";
import { LatencyWindow, percentile, REPORT_MAX } from "../../lib/preview/grid_page_latency.ts";
import { CAMERA_NAME, camerasOf } from "../../lib/preview/grid_page_cameras.ts";
import { CAMERA_NAME as RECEIVER_CAMERA_NAME } from "../../lib/preview/camera_name.ts";
import { launch, text, waitUntil, watchErrors } from "./_browser.ts";
import { colours, GridFixture, type GridFixtureOptions } from "./_grid_fixture.ts";

/** Playwright keeps its connection's resources past browser.close(). */
const CHROMIUM_TEST = { sanitizeResources: false, sanitizeOps: false };

const encoder = new TextEncoder();

/** The parts `PartStream` cuts from `chunks`, and the error it ended with, if any. */
async function cut(
  boundary: string,
  chunks: Uint8Array[],
): Promise<{ parts: Part[]; error?: unknown }> {
  const parts: Part[] = [];
  try {
    for await (const part of ReadableStream.from(chunks).pipeThrough(new PartStream(boundary))) {
      parts.push(part);
    }
  } catch (error) {
    return { parts, error };
  }
  return { parts };
}

/** A part as the receiver writes it. */
function part(camera: string, body: string, extra = ""): string {
  return `Content-Type: image/jpeg\r\nContent-Length: ${body.length}\r\nX-Camera: ${camera}\r\n` +
    `X-Timestamp: 1733500000.123456\r\nX-Frame: 42\r\n${extra}\r\n${body}`;
}

Deno.test("PartStream cuts a grid.mjpg body into its parts, however the bytes are split", async () => {
  const body = `--XYZ\r\n${part("porch", "JPEG--XYZ\r\nEND")}\r\n--XYZ\r\n` +
    `${part("yard", "abc", "X-Signal: lost\r\n")}\r\n--XYZ\r\n`;
  const bytes = encoder.encode(body);
  for (const size of [1, 2, 7, 64, bytes.length]) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
    const { parts, error } = await cut("XYZ", chunks);
    assert.equal(error, undefined);
    assert.deepEqual(parts.map((p) => p.headers.get("x-camera")), ["porch", "yard"], `${size}`);
    // The first body holds the delimiter itself: it is read by its length, not searched.
    assert.equal(new TextDecoder().decode(parts[0].body), "JPEG--XYZ\r\nEND");
    assert.equal(parts[0].headers.get("x-timestamp"), "1733500000.123456");
    assert.equal(parts[1].headers.get("x-signal"), "lost");
    assert.equal(parts[0].headers.get("x-signal"), undefined);
  }
});

Deno.test("PartStream reads header names without regard to case, skips a preamble, and stops at the closing delimiter", async () => {
  const body = "a preamble\r\n--b\r\ncontent-length: 2\r\nx-CAMERA: a\r\n\r\nhi\r\n" +
    "--b\r\nCONTENT-LENGTH: 1\r\nX-Camera: b\r\n\r\n!\r\n--b--\r\nan epilogue --b\r\n";
  const { parts, error } = await cut("b", [encoder.encode(body)]);
  assert.equal(error, undefined);
  assert.deepEqual(
    parts.map((p) => [p.headers.get("x-camera"), new TextDecoder().decode(p.body)]),
    [["a", "hi"], ["b", "!"]],
  );
});

Deno.test("PartStream fails on a part with no usable Content-Length, and on endless headers", async () => {
  const cases: Array<[string, RegExp]> = [
    ["--b\r\nX-Camera: a\r\n\r\nhi\r\n--b\r\n", /no usable Content-Length/],
    ["--b\r\nContent-Length: -2\r\n\r\nhi\r\n--b\r\n", /no usable Content-Length/],
    ["--b\r\n\r\nhi\r\n--b\r\n", /no usable Content-Length/],
    [`--b\r\nX-Camera: ${"a".repeat(20_000)}`, /too long/],
  ];
  for (const [body, message] of cases) {
    const { error } = await cut("b", [encoder.encode(body)]);
    assert.ok(error instanceof SyntaxError, body.slice(0, 40));
    assert.match(error.message, message);
  }
  assert.throws(() => new PartStream(""), RangeError);
});

Deno.test("PartStream takes a part as large as the receiver's largest frame, and fails on a larger one", async () => {
  const head = (length: number) =>
    encoder.encode(`--b\r\nContent-Length: ${length}\r\nX-Camera: a\r\n\r\n`);
  const { parts, error } = await cut("b", [
    head(MAX_FRAME_BYTES),
    new Uint8Array(MAX_FRAME_BYTES),
    encoder.encode("\r\n--b--\r\n"),
  ]);
  assert.equal(error, undefined);
  assert.deepEqual(parts.map((p) => p.body.length), [MAX_FRAME_BYTES]);
  // One byte more ends the response (the page opens another) before a byte of the body is kept.
  const larger = await cut("b", [head(MAX_FRAME_BYTES + 1), new Uint8Array(1024)]);
  assert.ok(larger.error instanceof SyntaxError, "a part larger than a frame can be");
  assert.match(larger.error.message, /no usable Content-Length/);
});

Deno.test("PartCutter's buffer grows for a big part and shrinks back once it is cut", () => {
  const cutter = new PartCutter("b");
  const small = cutter.capacity;
  const length = 4 * 1024 * 1024;
  cutter.push(encoder.encode(`--b\r\nContent-Length: ${length}\r\n\r\n`));
  for (let i = 0; i < 64; i++) cutter.push(new Uint8Array(length / 64));
  assert.ok(cutter.capacity > length, `${cutter.capacity} bytes for a part of ${length}`);
  cutter.push(encoder.encode("\r\n--b\r\nContent-Length: 2\r\n\r\nhi\r\n--b"));
  assert.equal(cutter.next()?.body.length, length);
  assert.equal(cutter.capacity, small, "back to its first size");
  // What came after the big part is kept across the shrink.
  assert.equal(new TextDecoder().decode(cutter.next()?.body), "hi");
  assert.equal(cutter.next(), undefined);
  cutter.push(encoder.encode("\r\nContent-Length: 1\r\n\r\n!"));
  assert.equal(new TextDecoder().decode(cutter.next()?.body), "!");
  // The buffer usual frames grow it to stays: no new buffer a frame.
  cutter.push(encoder.encode("\r\n--b\r\nContent-Length: 200000\r\n\r\n"));
  cutter.push(new Uint8Array(200_000));
  assert.equal(cutter.next()?.body.length, 200_000);
  const usual = cutter.capacity;
  assert.ok(usual > 200_000, `${usual} bytes`);
  cutter.push(encoder.encode("\r\n--b\r\nContent-Length: 200000\r\n\r\n"));
  cutter.push(new Uint8Array(200_000));
  assert.equal(cutter.next()?.body.length, 200_000);
  assert.equal(cutter.capacity, usual);
});

Deno.test("boundaryOf() reads the boundary of a multipart Content-Type only", () => {
  assert.equal(boundaryOf("multipart/mixed; boundary=XYZ"), "XYZ");
  assert.equal(boundaryOf('Multipart/Mixed;charset=x;BOUNDARY="a b"'), "a b");
  assert.equal(boundaryOf("multipart/x-mixed-replace; boundary=udpcam123"), "udpcam123");
  assert.equal(boundaryOf("text/plain; boundary=XYZ"), undefined);
  assert.equal(boundaryOf("multipart/mixed"), undefined);
  assert.equal(boundaryOf(null), undefined);
});

Deno.test("gridColumns() picks the columns that show 16:9 pictures largest", () => {
  const laptop = { width: 1272, height: 760, gap: 4 };
  const phone = { width: 382, height: 800, gap: 4 };
  const cases: Array<[number, typeof laptop, number]> = [
    [0, laptop, 1],
    [1, laptop, 1],
    [2, laptop, 1],
    [4, laptop, 2],
    [9, laptop, 3],
    [16, laptop, 4],
    [1, phone, 1],
    [4, phone, 1],
    [16, phone, 2],
    [3, { width: 2000, height: 200, gap: 0 }, 3],
  ];
  for (const [count, room, columns] of cases) {
    assert.equal(gridColumns(count, room), columns, `${count} in ${room.width}x${room.height}`);
  }
});

Deno.test("LatencyWindow keeps 10 s of samples for the percentiles and the newest 120 to report", () => {
  const window = new LatencyWindow();
  assert.deepEqual(window.summary(0), { p50: undefined, p99: undefined, samples: 0 });
  for (let i = 1; i <= 200; i++) window.add(i, i * 100);
  // Sampled from 0.1 s to 20 s: the last 10 s hold samples 100 to 200.
  assert.deepEqual(window.summary(20_000), { p50: 150, p99: 199, samples: 101 });
  const reported = window.takeUnreported();
  assert.equal(reported.length, REPORT_MAX);
  assert.deepEqual([reported[0], reported.at(-1)], [81, 200]);
  assert.deepEqual(window.takeUnreported(), []);
  window.add(NaN, 20_100);
  assert.equal(window.summary(20_100).samples, 100);
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
  assert.equal(percentile([5], 0.99), 5);
});

Deno.test("LatencyWindow leaves out samples below 0 or above 60,000 ms, as the receiver does", () => {
  const window = new LatencyWindow();
  for (const ms of [-0.1, -250, 0, 41.2, 60_000, 60_000.1, 3_600_000]) window.add(ms, 1000);
  assert.deepEqual(window.summary(1000), { p50: 41.2, p99: 60_000, samples: 3 });
  assert.deepEqual(window.takeUnreported(), [0, 41.2, 60_000]);
});

Deno.test("camerasOf() keeps the cameras of /stats it can use, every field checked", () => {
  assert.equal(camerasOf({}), undefined);
  assert.equal(camerasOf(null), undefined);
  const cameras = camerasOf({
    cameras: [
      {
        name: "porch",
        path: "/cam/porch/",
        state: "live",
        stateReason: "ok",
        latencyMs: { p50: 3 },
      },
      { name: "porch", state: "stalled" },
      { name: "bad name", state: "live" },
      { name: "a".repeat(41), state: "live" },
      { name: ".hidden", state: "live" },
      { name: "-dash", state: "live" },
      null,
      { name: "yard", path: "//elsewhere.example/", state: "<b>", senderName: "  " },
      { name: "gate", path: "https://elsewhere.example/", senderName: "Gate", latencyMs: 4 },
    ],
  });
  assert.deepEqual(cameras, [
    {
      name: "porch",
      path: "/cam/porch/",
      state: "live",
      stateReason: "ok",
      senderName: undefined,
      latencyP50: 3,
    },
    {
      name: "yard",
      path: undefined,
      state: "connecting",
      stateReason: "",
      senderName: undefined,
      latencyP50: undefined,
    },
    {
      name: "gate",
      path: undefined,
      state: "connecting",
      stateReason: "",
      senderName: "Gate",
      latencyP50: undefined,
    },
  ]);
});

Deno.test("the page takes a camera's name by the receiver's rule: up to 40 characters, a letter or digit first", () => {
  const cases: Array<[string, boolean]> = [
    ["porch", true],
    ["Cam-2.back_yard", true],
    ["7", true],
    ["a".repeat(40), true],
    ["a".repeat(41), false],
    ["", false],
    [".hidden", false],
    ["-dash", false],
    ["_under", false],
    ["bad name", false],
    ["caf\u00e9", false],
    ["a/b", false],
  ];
  for (const [name, valid] of cases) {
    assert.equal(CAMERA_NAME.test(name), valid, name);
    assert.equal(RECEIVER_CAMERA_NAME.test(name), valid, `the receiver's rule: ${name}`);
  }
  assert.deepEqual(camerasOf({ cameras: cases.map(([name]) => ({ name })) })!.map((c) => c.name), [
    "porch",
    "Cam-2.back_yard",
    "7",
    "a".repeat(40),
  ]);
});

Deno.test("GoneCameras remembers the newest 256 cameras taken away, and forgets one listed again", () => {
  const gone = new GoneCameras();
  for (let i = 0; i < 300; i++) gone.add(`cam-${i}`);
  assert.equal(gone.size, 256);
  assert.equal(gone.has("cam-43"), false, "the oldest forgotten");
  assert.equal(gone.has("cam-44"), true);
  assert.equal(gone.has("cam-299"), true);
  // Taken away again, a camera counts from then.
  gone.add("cam-44");
  gone.add("cam-300");
  assert.equal(gone.has("cam-44"), true);
  assert.equal(gone.has("cam-45"), false);
  assert.equal(gone.size, 256);
  gone.delete("cam-299");
  assert.equal(gone.has("cam-299"), false);
  assert.equal(gone.size, 255);
});

/** A tile's selector. */
const tile = (name: string) => `[data-camera="${name}"]`;

/** An expression for a tile's frames painted so far. */
const painted = (name: string) =>
  `Number(document.querySelector('${tile(name)}')?.dataset.painted ?? -1)`;

/** Runs `fn` with a stand-in station of `cameras` (name to colour) and Chromium, closing both after. */
async function withStation(
  cameras: Array<[string, number]>,
  options: GridFixtureOptions,
  fn: (station: GridFixture, browser: Browser) => Promise<void>,
): Promise<void> {
  const station = new GridFixture(options);
  for (const [name, colour] of cameras) await station.add(name, colour);
  const browser = await launch();
  try {
    await fn(station, browser);
  } finally {
    await browser.close();
    await station.close();
  }
}

/** The colour of a tile's canvas at a pixel of its picture the moving bar never covers. */
function cornerColour(page: Page, name: string): Promise<[number, number, number]> {
  return page.evaluate(`(() => {
    const canvas = document.querySelector('${tile(name)} canvas');
    const [r, g, b] = canvas.getContext("2d").getImageData(4, 4, 1, 1).data;
    return [r, g, b];
  })()`);
}

/** A digest of a tile's whole canvas. */
function canvasDigest(page: Page, name: string): Promise<number> {
  return page.evaluate(`(() => {
    const canvas = document.querySelector('${tile(name)} canvas');
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let digest = 0;
    for (let i = 0; i < data.length; i++) digest = (Math.imul(digest, 31) + data[i]) | 0;
    return digest;
  })()`);
}

function near(actual: [number, number, number], colour: number): boolean {
  const expected = [colour >> 16, (colour >> 8) & 0xff, colour & 0xff];
  return actual.every((value, i) => Math.abs(value - expected[i]) <= 40);
}

Deno.test({
  name:
    "the grid page makes a tile for each camera of /stats, each painting its own moving picture, from one grid.mjpg",
  ...CHROMIUM_TEST,
  async fn() {
    const cameras: Array<[string, number]> = [["porch", 0xff0000], ["yard", 0x00ff00], [
      "gate",
      0x0000ff,
    ]];
    await withStation(cameras, {}, async (station, browser) => {
      station.cameras.get("yard")!.senderName = "Back <b>yard</b>";
      station.cameras.get("gate")!.senderName = "gate";
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors = watchErrors(page);
      await page.goto(station.url);
      await waitUntil(page, cameras.map(([name]) => `${painted(name)} >= 3`).join(" && "));
      assert.deepEqual(
        await page.evaluate("[...document.querySelectorAll('.tile')].map((t) => t.dataset.camera)"),
        ["porch", "yard", "gate"],
      );
      // The label is the station's name for the camera, which is unique; the name a
      // sender gives itself (any sender can give any) comes second, as text, never markup.
      for (const name of ["porch", "yard", "gate"]) {
        assert.equal(await text(page, `${tile(name)} .tile-name`), name);
      }
      assert.equal(await text(page, `${tile("yard")} .tile-sender`), "Back <b>yard</b>");
      assert.equal(await page.locator(`${tile("yard")} .tile-bar b`).count(), 0);
      assert.match(
        String(await page.locator(`${tile("yard")} .tile-name`).getAttribute("title")),
        /Back <b>yard<\/b>/,
      );
      // None given, or the same name: nothing second.
      assert.equal(await page.locator(`${tile("porch")} .tile-sender`).isVisible(), false);
      assert.equal(await page.locator(`${tile("gate")} .tile-sender`).isVisible(), false);
      for (const [name, colour] of cameras) {
        assert.equal(await text(page, `${tile(name)} .tile-state`), "live");
        const seen = await cornerColour(page, name);
        assert.ok(near(seen, colour), `${name} shows its own picture: ${seen}`);
      }
      assert.equal(await text(page, "#count"), "3 / 3 live");
      // The pictures move: each tile paints more frames, and its canvas changes.
      const before = await Promise.all(cameras.map(([name]) => canvasDigest(page, name)));
      const paintedBefore = await page.evaluate<number>(painted("gate"));
      await page.waitForTimeout(700);
      const after = await Promise.all(cameras.map(([name]) => canvasDigest(page, name)));
      for (const [i, [name]] of cameras.entries()) {
        assert.notEqual(before[i], after[i], `${name}'s picture changes`);
      }
      assert.ok(await page.evaluate<number>(painted("gate")) >= paintedBefore + 4);
      const link = await page.locator(`${tile("gate")} a.tile-open`).getAttribute("href");
      assert.equal(link, "/cam/gate/");
      assert.equal(station.count("/grid.mjpg"), 1, "one response for every camera");
      assert.deepEqual(errors, []);
    });
  },
});

Deno.test({
  name:
    "16 cameras in one grid.mjpg all paint, in 4 columns at 1280x800 and within the width on a 390x844 phone",
  ...CHROMIUM_TEST,
  async fn() {
    const hues = colours(16);
    const cameras = hues.map((colour, i): [string, number] => [`cam-${i + 1}`, colour]);
    await withStation(cameras, { fps: 8 }, async (station, browser) => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors = watchErrors(page);
      await page.goto(station.url);
      await waitUntil(page, cameras.map(([name]) => `${painted(name)} >= 2`).join(" && "));
      const first = await paintedAll(page);
      await page.waitForTimeout(800);
      const then = await paintedAll(page);
      for (const [name] of cameras) assert.ok(then[name] > first[name], `${name} keeps painting`);
      for (const [i, [name, colour]] of cameras.entries()) {
        if (i % 5 !== 0) continue;
        assert.ok(near(await cornerColour(page, name), colour), `${name}'s own picture`);
      }
      assert.equal(station.count("/grid.mjpg"), 1, "one connection, however many cameras");

      let boxes = await tileBoxes(page);
      assert.equal(new Set(boxes.map((b) => Math.round(b.x))).size, 4, "4 columns");
      assert.equal(new Set(boxes.map((b) => Math.round(b.y))).size, 4, "4 rows");
      for (const box of boxes) {
        assert.ok(box.x >= 0 && box.x + box.width <= 1280, `in the width: ${JSON.stringify(box)}`);
        assert.ok(box.y >= 0 && box.y + box.height <= 800, `in the height: ${JSON.stringify(box)}`);
        assert.ok(box.width > 280 && box.height > 150, `large: ${JSON.stringify(box)}`);
      }

      await page.setViewportSize({ width: 390, height: 844 });
      await waitUntil(page, "document.getElementById('grid').dataset.columns === '2'");
      boxes = await tileBoxes(page);
      for (const box of boxes) {
        assert.ok(box.x >= 0 && box.x + box.width <= 390, `in a phone's width: ${box.x}`);
        assert.ok(box.y + box.height <= 844, `in a phone's height: ${box.y}`);
      }
      assert.ok(await noScrollbars(page), "no scrollbar on a phone");
      // Fewer cameras, larger tiles: one column on the phone.
      for (const [name] of cameras.slice(3)) station.cameras.delete(name);
      await waitUntil(page, "document.querySelectorAll('.tile').length === 3");
      await waitUntil(page, "document.getElementById('grid').dataset.columns === '1'");
      boxes = await tileBoxes(page);
      for (const box of boxes) assert.ok(box.width >= 370, `the full width: ${box.width}`);
      assert.deepEqual(errors, []);
    });
  },
});

/** Each tile's frames painted so far, by camera. */
function paintedAll(page: Page): Promise<Record<string, number>> {
  return page.evaluate(
    "Object.fromEntries([...document.querySelectorAll('.tile')]" +
      ".map((t) => [t.dataset.camera, Number(t.dataset.painted)]))",
  );
}

/** Where each tile is, in CSS pixels. */
function tileBoxes(
  page: Page,
): Promise<Array<{ x: number; y: number; width: number; height: number }>> {
  return page.evaluate(
    "[...document.querySelectorAll('.tile')].map((t) => { const r = t.getBoundingClientRect(); " +
      "return { x: r.x, y: r.y, width: r.width, height: r.height }; })",
  );
}

function noScrollbars(page: Page): Promise<boolean> {
  return page.evaluate(
    "document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight",
  );
}

Deno.test({
  name:
    "a camera that stalls shows no signal on its tile alone, dimmed; cameras come and go with no reload",
  ...CHROMIUM_TEST,
  async fn() {
    await withStation([["porch", 0xff0000], ["yard", 0x00ff00]], {}, async (station, browser) => {
      const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
      const errors = watchErrors(page);
      await page.goto(station.url);
      await waitUntil(page, `${painted("porch")} >= 2 && ${painted("yard")} >= 2`);
      await page.evaluate("window.sameDocument = true");
      assert.equal(await dimmed(page, "porch"), false);

      const porch = station.cameras.get("porch")!;
      porch.state = "stalled";
      porch.stateReason = "no frame for 2 s";
      await waitUntil(
        page,
        `document.querySelector('${tile("porch")}').dataset.state === 'stalled'`,
      );
      assert.match(await text(page, `${tile("porch")} .tile-state`), /no signal/);
      assert.match(
        String(await page.locator(`${tile("porch")} .tile-state`).getAttribute("title")),
        /no frame for 2 s/,
      );
      assert.equal(await dimmed(page, "porch"), true);
      assert.equal(await text(page, `${tile("yard")} .tile-state`), "live");
      assert.equal(await dimmed(page, "yard"), false);
      assert.equal(await text(page, "#count"), "1 / 2 live");
      porch.state = "refused";
      porch.stateReason = "wrong key or not a udpcam sender";
      await waitUntil(
        page,
        `document.querySelector('${tile("porch")}').dataset.state === 'refused'`,
      );
      assert.equal(await text(page, `${tile("porch")} .tile-state`), "no signal: refused");

      // A camera joins: its tile comes, its picture with it; one leaves: its tile goes.
      await station.add("gate", 0x0000ff);
      await waitUntil(page, `${painted("gate")} >= 2`);
      station.cameras.delete("yard");
      await waitUntil(page, `document.querySelector('${tile("yard")}') === null`);
      assert.deepEqual(
        await page.evaluate("[...document.querySelectorAll('.tile')].map((t) => t.dataset.camera)"),
        ["porch", "gate"],
      );
      // A camera in grid.mjpg before /stats lists it gets its tile at once, at the end...
      await station.add("shed", 0xffff00, { listed: false });
      await waitUntil(page, `${painted("shed")} >= 2`);
      assert.equal(await text(page, `${tile("shed")} .tile-state`), "no signal");
      station.cameras.get("shed")!.listed = true;
      station.cameras.delete("gate");
      await station.add("gate", 0x0000ff);
      await waitUntil(page, `document.querySelector('${tile("shed")}').dataset.state === 'live'`);
      assert.deepEqual(
        await page.evaluate("[...document.querySelectorAll('.tile')].map((t) => t.dataset.camera)"),
        ["porch", "shed", "gate"],
        "in the order of /stats",
      );
      // ... but one /stats takes away stays away, though its frames still come.
      station.cameras.get("shed")!.listed = false;
      await waitUntil(page, `document.querySelector('${tile("shed")}') === null`);
      await page.waitForTimeout(600);
      assert.equal(await page.locator(tile("shed")).count(), 0);
      assert.equal(await page.evaluate("window.sameDocument"), true, "no reload");
      assert.equal(station.count("/"), 1);
      assert.equal(station.count("/grid.mjpg"), 1);
      assert.deepEqual(errors, []);
    });
  },
});

/** Whether a tile's picture is dimmed. */
async function dimmed(page: Page, name: string): Promise<boolean> {
  const filter = await page.evaluate(
    `getComputedStyle(document.querySelector('${tile(name)} canvas')).filter`,
  );
  return /brightness\(0\.4\)/.test(String(filter));
}

Deno.test({
  name:
    "the latency to the screen is measured on the receiver's clock, shown on the tile and reported, no-signal frames left out",
  ...CHROMIUM_TEST,
  async fn() {
    // The station's clock 5 s ahead of this machine's: a page that ignored it would be 5 s out.
    const options = { delayMs: 200, clockAheadMs: 5000, fps: 15 };
    await withStation(
      [["porch", 0xff0000], ["yard", 0x00ff00]],
      options,
      async (station, browser) => {
        const drawn = await station.add("gate", 0x0000ff, { signal: "lost", state: "waiting" });
        drawn.receiverP50 = undefined;
        station.cameras.get("porch")!.receiverP50 = 12.3;
        const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
        const errors = watchErrors(page);
        await page.goto(station.url);
        await waitUntil(
          page,
          "gridLatency('porch').samples >= 20 && gridLatency('yard').samples >= 20",
        );
        for (const name of ["porch", "yard"]) {
          const { p50, p99 } = await page.evaluate<{ p50: number; p99: number }>(
            `gridLatency('${name}')`,
          );
          assert.ok(p50 >= 195 && p50 <= 400, `${name} p50 ${p50} ms, 200 ms injected`);
          assert.ok(p99 >= p50 && p99 <= 600, `${name} p99 ${p99} ms`);
        }
        const offset = await page.evaluate<number>("gridLatency('porch').clockOffsetMs");
        assert.ok(Math.abs(offset - 5000) < 50, `clock offset ${offset} ms`);
        // The receiver's own no-signal pictures are painted but measure nothing.
        assert.ok(await page.evaluate<number>(painted("gate")) >= 5);
        assert.equal(await page.evaluate("gridLatency('gate').samples"), 0);

        await waitUntil(
          page,
          `!/screen -/.test(document.querySelector('${tile("porch")} .tile-latency').textContent)`,
        );
        const shown = await text(page, `${tile("porch")} .tile-latency`);
        const match = /^screen (\d+) \/ (\d+) ms · to receiver 12 ms$/.exec(shown);
        assert.ok(match, shown);
        assert.ok(Number(match[1]) >= 195 && Number(match[1]) <= 400, shown);
        assert.match(
          String(await page.locator(`${tile("porch")} .tile-screen`).getAttribute("title")),
          /capture to paint/,
        );

        const deadline = Date.now() + 6000;
        while (station.reports.length < 2 && Date.now() < deadline) await page.waitForTimeout(100);
        assert.ok(station.reports.length >= 2, `reports: ${station.reports.length}`);
        const all = new Map<string, number[]>();
        for (const report of station.reports) {
          assert.deepEqual(report.map(([name]) => name).sort(), ["porch", "yard"]);
          for (const [name, samples] of report) {
            assert.ok(samples.length > 0 && samples.length <= 120, `${samples.length} samples`);
            all.set(name, [...(all.get(name) ?? []), ...samples]);
          }
        }
        const sent = station.requests.filter((url) => url.pathname === "/screen-latency");
        for (const url of sent) {
          for (const value of url.searchParams.getAll("ms").join(",").split(",")) {
            assert.match(value, /^-?\d+\.\d$/, "rounded to 0.1 ms");
          }
        }
        for (const [name, samples] of all) {
          const sorted = samples.sort((a, b) => a - b);
          const median = sorted[Math.floor(sorted.length / 2)];
          assert.ok(median >= 195 && median <= 400, `${name} reported median ${median} ms`);
          assert.ok(sorted[0] >= 190, `${name} reported at least the delay: ${sorted[0]} ms`);
        }
        assert.deepEqual(errors, []);
      },
    );
  },
});

Deno.test({
  name:
    "the grid page carries its ?token= on every request, never in a link, and takes it out of the address bar",
  ...CHROMIUM_TEST,
  async fn() {
    await withStation([["porch", 0xff0000]], {}, async (station, browser) => {
      const token = "a token+/=";
      const page = await browser.newPage();
      const errors = watchErrors(page);
      await page.goto(`${station.url}?token=${encodeURIComponent(token)}#cam=porch`);
      await waitUntil(page, `${painted("porch")} >= 2`);
      const deadline = Date.now() + 5000;
      while (station.count("/screen-latency") === 0 && Date.now() < deadline) {
        await page.waitForTimeout(100);
      }
      for (
        const path of ["/", "/grid.mjpg", "/stats", "/time", "/screen-latency", "/favicon.svg"]
      ) {
        assert.ok(station.count(path) > 0, `the page asked for ${path}`);
      }
      for (const url of station.requests) {
        assert.equal(url.searchParams.get("token"), token, url.href);
      }
      // Not the link: a link's address goes into the browser's history. The camera's page
      // opens with the token this origin keeps.
      assert.equal(
        await page.locator(`${tile("porch")} a.tile-open`).getAttribute("href"),
        "/cam/porch/",
      );
      // The hash names the camera shown alone, and stays.
      assert.equal(page.url(), `${station.url}#cam=porch`);
      assert.equal(await page.evaluate("localStorage.getItem('udpcam-token')"), token);
      assert.deepEqual(errors, []);
    });
  },
});

Deno.test({
  name:
    "a click shows one camera filling the page and another click goes back; so do its number key and Escape",
  ...CHROMIUM_TEST,
  async fn() {
    const cameras: Array<[string, number]> = [["porch", 0xff0000], ["yard", 0x00ff00], [
      "gate",
      0x0000ff,
    ]];
    await withStation(cameras, {}, async (station, browser) => {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const errors = watchErrors(page);
      await page.goto(station.url);
      await waitUntil(page, cameras.map(([name]) => `${painted(name)} >= 2`).join(" && "));
      const shown = () =>
        page.evaluate<string[]>(
          "[...document.querySelectorAll('.tile')].filter((t) => !t.hidden).map((t) => t.dataset.camera)",
        );

      await page.click(tile("yard"));
      assert.deepEqual(await shown(), ["yard"]);
      const box = (await page.locator(tile("yard")).boundingBox())!;
      assert.ok(box.width >= 1260 && box.height >= 700, `fills the page: ${JSON.stringify(box)}`);
      assert.equal(new URL(page.url()).hash, "#cam=yard");
      // On show alone, it still paints.
      const before = await page.evaluate<number>(painted("yard"));
      await waitUntil(page, `${painted("yard")} > ${before + 2}`);
      await page.click(tile("yard"));
      assert.deepEqual(await shown(), ["porch", "yard", "gate"]);
      assert.equal(new URL(page.url()).hash, "");

      await page.keyboard.press("3");
      assert.deepEqual(await shown(), ["gate"]);
      await page.keyboard.press("Escape");
      assert.deepEqual(await shown(), ["porch", "yard", "gate"]);
      // The link opens the camera's own page, not the tile alone.
      assert.equal(await page.locator(`${tile("porch")} a.tile-open`).isVisible(), true);

      // An address with #cam= opens that camera alone.
      await page.goto(`${station.url}#cam=gate`);
      await waitUntil(page, `${painted("gate")} >= 2`);
      assert.deepEqual(await shown(), ["gate"]);
      await page.keyboard.press("Escape");
      await waitUntil(page, `${painted("porch")} >= 1`);
      assert.deepEqual(await shown(), ["porch", "yard", "gate"]);
      assert.deepEqual(errors, []);
    });
  },
});

Deno.test({
  name:
    "the grid page says the receiver is unreachable while /stats fails, opens grid.mjpg again when it ends, and lets go of it while hidden",
  ...CHROMIUM_TEST,
  async fn() {
    await withStation([["porch", 0xff0000]], {}, async (station, browser) => {
      const page = await browser.newPage();
      await countAbortListeners(page);
      const errors = watchErrors(page);
      await page.goto(station.url);
      await waitUntil(page, `${painted("porch")} >= 2`);
      assert.equal(await page.locator("#status").isVisible(), false);

      station.statsFail = true;
      await waitUntil(page, "document.getElementById('status').dataset.state === 'unreachable'");
      assert.equal(await text(page, "#status"), "receiver unreachable");
      assert.match(String(await page.locator("#status").getAttribute("title")), /HTTP 503/);
      assert.equal(await page.evaluate("document.body.dataset.stale"), "true");
      assert.equal(await page.locator(tile("porch")).count(), 1, "the tiles stay");

      station.statsFail = false;
      await waitUntil(page, "document.getElementById('status').dataset.state === 'ok'");
      const opened = station.count("/grid.mjpg");
      // The response ends: the page opens another, half a second later, and paints on.
      station.endStreams();
      const deadline = Date.now() + 3000;
      while (station.count("/grid.mjpg") === opened && Date.now() < deadline) {
        await page.waitForTimeout(50);
      }
      assert.equal(station.count("/grid.mjpg"), opened + 1);
      const before = await page.evaluate<number>(painted("porch"));
      await waitUntil(page, `${painted("porch")} >= ${before + 3}`);
      // The wait before it leaves nothing behind on the stream's signal.
      assert.equal(await page.evaluate("abortListeners()"), 0);

      // Hidden, the page lets go of the stream; shown again, it opens another.
      await setHidden(page, true);
      await until(() => station.openStreams === 0, "the hidden page lets go");
      await page.waitForTimeout(300);
      assert.equal(station.count("/grid.mjpg"), opened + 1);
      await setHidden(page, false);
      await until(() => station.openStreams === 1, "the page opens the stream again");
      assert.equal(station.count("/grid.mjpg"), opened + 2);
      for (const error of errors) assert.match(error, /status of 503/);
    });
  },
});

Deno.test({
  name:
    "the grid page syncs its clock again when shown, and measures nothing on the old offset meanwhile",
  ...CHROMIUM_TEST,
  async fn() {
    await withStation(
      [["porch", 0xff0000]],
      { delayMs: 200, fps: 15 },
      async (station, browser) => {
        const page = await browser.newPage();
        const errors = watchErrors(page);
        await page.goto(station.url);
        await waitUntil(page, "gridLatency('porch').samples >= 10");
        const synced = station.count("/time");
        await setHidden(page, true);
        await until(() => station.openStreams === 0, "the hidden page lets go");
        // While the tab was hidden (or the machine asleep), a clock was set: the offset is stale.
        station.clockAheadMs = 5000;
        await setHidden(page, false);
        // At once, not at the next sync of every 30 s.
        await until(() => station.count("/time") > synced, "the shown page asks /time again", 2000);
        await until(() => station.openStreams === 1, "the page opens the stream again");
        const before = await page.evaluate<number>("gridLatency('porch').samples");
        await waitUntil(page, `gridLatency('porch').samples >= ${before + 15}`);
        const { p50, p99, clockOffsetMs } = await page.evaluate<
          { p50: number; p99: number; clockOffsetMs: number }
        >("gridLatency('porch')");
        assert.ok(Math.abs(clockOffsetMs - 5000) < 50, `clock offset ${clockOffsetMs} ms`);
        assert.ok(p50 >= 195 && p50 <= 400, `p50 ${p50} ms, 200 ms injected`);
        assert.ok(p99 <= 600, `p99 ${p99} ms: no frame measured on the stale offset`);
        assert.deepEqual(errors, []);
      },
    );
  },
});

/**
 * Has the page count the abort listeners left on signals not aborted, as
 * `abortListeners()`, from before its own script runs.
 */
async function countAbortListeners(page: Page): Promise<void> {
  await page.addInitScript(`(() => {
    const listeners = [];
    const add = EventTarget.prototype.addEventListener;
    const remove = EventTarget.prototype.removeEventListener;
    EventTarget.prototype.addEventListener = function (type, listener, options) {
      if (this instanceof AbortSignal && type === "abort") listeners.push({ signal: this, listener });
      return add.call(this, type, listener, options);
    };
    EventTarget.prototype.removeEventListener = function (type, listener, options) {
      if (this instanceof AbortSignal && type === "abort") {
        const i = listeners.findIndex((l) => l.signal === this && l.listener === listener);
        if (i >= 0) listeners.splice(i, 1);
      }
      return remove.call(this, type, listener, options);
    };
    globalThis.abortListeners = () => listeners.filter((l) => !l.signal.aborted).length;
  })()`);
}

/** Tells the page it is hidden or shown, as a browser does on a tab switch. */
function setHidden(page: Page, hidden: boolean): Promise<void> {
  return page.evaluate(`(() => {
    const state = { hidden: ${hidden}, visibilityState: "${hidden ? "hidden" : "visible"}" };
    for (const [name, value] of Object.entries(state)) {
      Object.defineProperty(document, name, { configurable: true, get: () => value });
    }
    document.dispatchEvent(new Event("visibilitychange"));
  })()`);
}

/** Waits until `condition` holds, or throws after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test({
  name:
    "a picture larger than its tile is drawn at the tile's size, not scaled again by the browser at every frame",
  ...CHROMIUM_TEST,
  async fn() {
    const cameras: Array<[string, number]> = [["porch", 0xff0000], ["yard", 0x00ff00]];
    await withStation(cameras, { fps: 8 }, async (station, browser) => {
      // Tiles about 110 px wide for the fixture's 160x90 pictures.
      const page = await browser.newPage({ viewport: { width: 120, height: 300 } });
      await page.goto(station.url);
      await waitUntil(page, cameras.map(([name]) => `${painted(name)} >= 3`).join(" && "));
      for (const [name] of cameras) {
        const size = await page.evaluate(`(() => {
          const canvas = document.querySelector('${tile(name)} canvas');
          return { width: canvas.width, height: canvas.height, shown: canvas.clientWidth };
        })()`) as { width: number; height: number; shown: number };
        assert.ok(
          size.width < 160,
          `${name}: a canvas of ${size.width} px, shown ${size.shown} px`,
        );
        assert.ok(size.width <= size.shown + 1, `${name}: ${size.width} px in ${size.shown} px`);
        // Its shape kept.
        assert.ok(Math.abs(size.width / size.height - 16 / 9) < 0.05, JSON.stringify(size));
      }
    });
  },
});
