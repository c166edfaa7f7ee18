import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launch, text, waitForState, waitUntil, watchErrors } from "./_browser.ts";
import type { ReceivedFrame } from "../../lib/hub/frame.ts";
import { LatestValue } from "../../lib/hub/latest_value.ts";
import { HttpServer } from "../../lib/preview/http_server.ts";
import { guardPreview } from "../../lib/preview/preview_guard.ts";
import { createPreviewHandler, type PreviewHandler } from "../../lib/preview/preview_handler.ts";
import { TestPatternSource } from "../../lib/capture/test_pattern.ts";
import { startReceiver, startSender, ToolProcess } from "../_tool.ts";

Deno.test({
  name: "the preview page in Chromium shows a moving image and stats that change",
  // Playwright keeps its connection's resources past browser.close().
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sender = new ToolProcess("sender", ["--source", "test", "--listen", "127.0.0.1:0"]);
    const listening = await sender.waitFor("listening");
    const port = String(listening.address).split(":").at(-1);
    const receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
    const { url } = await receiver.waitFor("listening");
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(String(url));
      const naturalWidth = "document.getElementById('video').naturalWidth";
      await waitUntil(page, `${naturalWidth} > 0`, 15_000);
      await waitUntil(page, "document.getElementById('state').textContent === 'live'", 15_000);
      assert.equal(await page.evaluate(naturalWidth), 640);
      const video = page.locator("#video");
      const first = await video.screenshot();
      const framesBefore = await page.locator("#frames").textContent();
      await page.waitForTimeout(1500);
      const second = await video.screenshot();
      const framesAfter = await page.locator("#frames").textContent();
      assert.notDeepEqual(first, second, "the picture moves");
      assert.ok(
        Number(framesAfter) > Number(framesBefore),
        `frames ${framesBefore} -> ${framesAfter}`,
      );
      assert.match((await page.locator("#fps").textContent()) ?? "", /^\d+\.\d$/);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await receiver.stop();
      await sender.stop();
    }
  },
});

Deno.test({
  name: "the preview page opened with ?token= plays and polls with that token, and sets no cookie",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const token = "a-token-of-our-own+/=";
    const [sender, port] = await startSender(["--source", "test"]);
    const [receiver, logged] = await startReceiver(port, ["--http-token", token]);
    const url = new URL(logged);
    assert.equal(url.searchParams.get("token"), token);
    const browser = await launch();
    try {
      const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
      const page = await context.newPage();
      const errors = watchErrors(page);
      const requested: URL[] = [];
      page.on("request", (request) => requested.push(new URL(request.url())));
      await page.goto(url.href);
      await waitUntil(page, "document.getElementById('video').naturalWidth > 0", 15_000);
      await waitForState(page, "live");
      // A cookie would go to every port of this host, to whatever else listens there.
      assert.deepEqual(await context.cookies(), []);
      const own = requested.filter((r) => r.port === url.port);
      for (const path of ["/", "/stream.mjpg", "/stats"]) {
        const asked = own.filter((r) => r.pathname === path);
        assert.ok(asked.length > 0, `the page asked for ${path}`);
        for (const r of asked) assert.equal(r.searchParams.get("token"), token, r.href);
      }
      const snapshot = new URL(String(await page.locator("#snapshot").getAttribute("href")), url);
      assert.equal(snapshot.searchParams.get("token"), token);
      assert.equal((await page.request.get(snapshot.href)).status(), 200);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await receiver.stop();
      await sender.stop();
    }
  },
});

Deno.test({
  name: "the preview page says a receiver with the wrong key is refused, and why",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sender = new ToolProcess("sender", [
      "--source",
      "test",
      "--fps",
      "5",
      "--listen",
      "127.0.0.1:0",
      "--key",
      "the sender's key, which the receiver lacks",
    ]);
    const port = String((await sender.waitFor("listening")).address).split(":").at(-1);
    const receiver = new ToolProcess("receiver", [
      `127.0.0.1:${port}`,
      "--http",
      "127.0.0.1:0",
      "--key",
      "a key the sender does not have",
    ]);
    const { url } = await receiver.waitFor("listening");
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      // No frame ever comes, so the image, and the page's load event, never finish.
      await page.goto(String(url), { waitUntil: "domcontentloaded" });
      await waitUntil(page, "document.getElementById('state').dataset.state === 'refused'", 10_000);
      const text = await page.locator("#state").textContent();
      assert.match(text ?? "", /^refused: wrong key or not a udpcam sender/);
      assert.equal(await page.locator("#frames").textContent(), "0");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await receiver.stop();
      await sender.stop();
    }
  },
});

Deno.test({
  name: "the preview page charts the stream, goes fullscreen, saves a snapshot, fits the " +
    "window, and picks the stream up again after the receiver restarts",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sender = new ToolProcess("sender", [
      "--source",
      "test",
      "--listen",
      "127.0.0.1:0",
      "--name",
      "porch <camera>",
    ]);
    const senderPort = String((await sender.waitFor("listening")).address).split(":").at(-1);
    const http = `127.0.0.1:${freeTcpPort()}`;
    const receiverArgs = [`127.0.0.1:${senderPort}`, "--http", http];
    let receiver = new ToolProcess("receiver", receiverArgs);
    const { url } = await receiver.waitFor("listening");
    const browser = await launch();
    try {
      const page = await browser.newPage({
        viewport: { width: 800, height: 600 },
        acceptDownloads: true,
      });
      const errors = watchErrors(page);
      await page.goto(String(url), { waitUntil: "domcontentloaded" });
      await waitForState(page, "live");
      await waitUntil(page, "document.getElementById('video').naturalWidth > 0");
      assert.ok(await pictureMoves(page), "the picture moves");

      // The stats fill in and keep changing.
      const framesBefore = Number(await text(page, "#frames"));
      await waitUntil(
        page,
        `Number(document.getElementById('frames').textContent) > ${framesBefore}`,
      );
      assert.match(await text(page, "#fps"), /^\d+\.\d$/);
      assert.ok(Number(await text(page, "#fps")) > 0);
      assert.match(await text(page, "#bitrate"), /^\d+\.\d\d Mbit\/s$/);
      assert.equal(await text(page, "#resolution"), "640x360");
      assert.match(await text(page, "#loss"), /^\d+\.\d %$/);
      assert.match(await text(page, "#rtt"), /^\d+\.\d ms$/);
      assert.match(await text(page, "#latency"), /^\d+\.\d ms$/);
      assert.match(await text(page, "#latency-p99"), /^\d+\.\d ms$/);
      assert.ok(Number(await text(page, "#viewers")) >= 1);
      // The sender's name and uptime, as the sender told the receiver.
      assert.equal(await text(page, "#sender-name"), "porch <camera>");
      assert.match(await text(page, "#uptime"), /^\d+ s$/);
      const stats = await (await fetch(`${url}stats`)).json();
      assert.equal(stats.senderName, "porch <camera>");
      const uptimeMs = Date.parse(stats.time) - Date.parse(stats.senderStartedAt);
      assert.ok(uptimeMs >= 0 && uptimeMs < 60_000, `uptime ${uptimeMs} ms`);

      // Each chart draws its line, and the drawing moves on with the next sample.
      await waitUntil(
        page,
        CHART_IDS.map((id) => `Number(document.getElementById('${id}').dataset.samples) >= 3`)
          .join(" && "),
        10_000,
      );
      const before = await readCharts(page);
      await page.waitForTimeout(1200);
      const after = await readCharts(page);
      for (const [i, id] of CHART_IDS.entries()) {
        assert.ok(before[i].line > 0, `${id} draws a line`);
        assert.notEqual(before[i].digest, after[i].digest, `${id} changes`);
      }

      // Fullscreen: the button enters and leaves, its label following; so does F.
      const label = "document.querySelector('#fullscreen span').textContent";
      await page.click("#fullscreen");
      await waitUntil(page, "document.fullscreenElement === document.getElementById('stage')");
      await waitUntil(page, `${label} === 'Exit fullscreen'`);
      await page.click("#fullscreen");
      await waitUntil(page, "document.fullscreenElement === null");
      await waitUntil(page, `${label} === 'Fullscreen'`);
      await page.keyboard.press("f");
      await waitUntil(page, "document.fullscreenElement !== null");
      await waitUntil(page, `${label} === 'Exit fullscreen'`);
      // Escape is the browser's own way out, which headless Chromium lacks; F toggles too.
      await page.keyboard.press("f");
      await waitUntil(page, "document.fullscreenElement === null");
      await waitUntil(page, `${label} === 'Fullscreen'`);

      // The snapshot link saves the frame on show, named after the moment of the click.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click("#snapshot"),
      ]);
      const name = download.suggestedFilename();
      const match = /^udpcam-(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)\.jpg$/.exec(name);
      assert.ok(match, name);
      const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
      const clickedAt = new Date(year, month - 1, day, hour, minute, second).getTime();
      assert.ok(Math.abs(clickedAt - Date.now()) < 60_000, `${name} names the time of the click`);
      const bytes = await Deno.readFile(await download.path());
      assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8]);

      // The video fits the window, beside the panel on a wide one, above it on a narrow one.
      for (const viewport of [{ width: 800, height: 600 }, { width: 400, height: 800 }]) {
        await page.setViewportSize(viewport);
        await page.waitForTimeout(100);
        const box = await page.evaluate<Layout>(LAYOUT);
        const at = `${viewport.width}x${viewport.height}`;
        assert.equal(box.objectFit, "contain");
        assert.ok(box.scrollWidth <= box.clientWidth, `no horizontal scrollbar at ${at}`);
        assert.ok(box.scrollHeight <= box.clientHeight, `no vertical scrollbar at ${at}`);
        assert.equal(box.clientWidth, viewport.width);
        assert.ok(box.video.left >= 0 && box.video.top >= 0, at);
        assert.ok(box.video.right <= viewport.width && box.video.bottom <= viewport.height, at);
        assert.ok(box.video.width >= viewport.width * 0.6, `the video is wide at ${at}`);
        assert.ok(box.video.height >= viewport.width * 0.6 * 9 / 16, `the video is tall at ${at}`);
        assert.ok(box.panelFits, `every stat and chart in sight at ${at}`);
        const wide = viewport.width > viewport.height;
        if (wide) assert.ok(box.panel.left >= box.video.right - 0.5, `panel beside at ${at}`);
        else assert.ok(box.panel.top >= box.video.bottom - 0.5, `panel below at ${at}`);
      }
      assert.deepEqual(errors, []);

      // The receiver stops: the page says so. It comes back on the same port: the page
      // opens the stream again, since the browser does not.
      await receiver.stop();
      await waitForState(page, "unreachable", 5000);
      assert.equal(await text(page, "#state"), "receiver unreachable");
      assert.equal(hue(await stateColour(page)), "red");
      const opened = await page.evaluate(
        "Number(document.getElementById('video').dataset.opened ?? 0)",
      );
      receiver = new ToolProcess("receiver", receiverArgs);
      await receiver.waitFor("listening");
      await waitForState(page, "live");
      await waitUntil(
        page,
        `Number(document.getElementById('video').dataset.opened ?? 0) > ${opened}`,
      );
      assert.match(await page.evaluate<string>("document.getElementById('video').src"), /\?t=/);
      await page.waitForTimeout(500);
      assert.ok(await pictureMoves(page), "the picture moves again");
      // While the receiver was away the browser logged the failed requests, and only them.
      for (const error of errors) assert.match(error, /^console: Failed to load resource: net::/);
    } finally {
      await browser.close();
      await receiver.stop();
      await sender.stop();
    }
  },
});

Deno.test({
  name: "the preview page shows the sender's name as text and its uptime, or - while absent",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const preview = servePreview();
    const browser = await launch();
    try {
      const page = await browser.newPage({ deviceScaleFactor: 2 });
      const errors = watchErrors(page);
      await page.goto(preview.url, { waitUntil: "domcontentloaded" });
      await waitForState(page, "live");
      assert.equal(await text(page, "#sender-name"), "-");
      assert.equal(await text(page, "#uptime"), "-");

      const name = '<img src="x" onerror="window.injected = true"> porch';
      preview.fields.senderName = name;
      preview.fields.senderStartedAt = ago((3 * 3600 + 12 * 60 + 5) * 1000);
      await waitUntil(page, "document.getElementById('uptime').textContent !== '-'");
      assert.equal(await text(page, "#sender-name"), name);
      assert.equal(await page.locator("#sender-name *").count(), 0, "no markup from the sender");
      assert.equal(await page.evaluate("window.injected"), undefined);
      assert.equal(await text(page, "#uptime"), "3 h 12 min");
      preview.fields.senderStartedAt = ago(45_000);
      await waitUntil(page, "!document.getElementById('uptime').textContent.includes('h')");
      assert.match(await text(page, "#uptime"), /^4[5-7] s$/);

      const durations: Array<[number, string]> = [
        [0, "0 s"],
        [45, "45 s"],
        [59.9, "59 s"],
        [60, "1 min 0 s"],
        [725, "12 min 5 s"],
        [3600, "1 h 0 min"],
        [11_525, "3 h 12 min"],
        [90_000, "1 d 1 h"],
        [-1, "-"],
        [NaN, "-"],
      ];
      for (const [seconds, expected] of durations) {
        assert.equal(await page.evaluate(`formatDuration(${seconds})`), expected, `${seconds} s`);
      }
      const tops: Array<[number, number]> = [
        [0, 1],
        [0.3, 0.3],
        [1, 1],
        [1.2, 1.5],
        [2.2, 2.5],
        [29.9, 30],
        [31, 40],
        [7, 8],
        [9, 10],
        [0.042, 0.05],
        [123, 150],
      ];
      for (const [value, expected] of tops) {
        assert.equal(await page.evaluate(`niceCeil(${value})`), expected, `niceCeil(${value})`);
      }
      assert.equal(
        await page.evaluate("snapshotName(new Date(2024, 0, 2, 3, 4, 5))"),
        "udpcam-20240102-030405.jpg",
      );

      // On a HiDPI screen the charts have a canvas pixel for every device pixel.
      for (const chart of await readCharts(page)) {
        assert.ok(chart.cssWidth > 0);
        assert.equal(chart.width, chart.cssWidth * 2);
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await preview.close();
    }
  },
});

Deno.test({
  name: "the preview page drops the stream while hidden and reopens one that ended",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const preview = servePreview();
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const errors = watchErrors(page);
      await page.goto(preview.url, { waitUntil: "domcontentloaded" });
      await waitUntil(page, "document.getElementById('video').naturalWidth > 0");
      await until(() => preview.handler.stats.viewers === 1, "one viewer");

      // Headless Chromium never hides a page; the page is told it is hidden as a browser would.
      await setHidden(page, true);
      await until(() => preview.handler.stats.viewers === 0, "the hidden page lets go");
      await setHidden(page, false);
      await until(() => preview.handler.stats.viewers === 1, "the page shows video again");
      assert.ok(await pictureMoves(page), "the picture moves after the page shows again");

      // The stream ends while /stats still answers and counts frames: Chromium keeps the
      // last picture, and the page notices that it stands still.
      const opened = Number(await page.evaluate("document.getElementById('video').dataset.opened"));
      preview.endStreams();
      await until(() => preview.handler.stats.viewers === 1, "the stream is opened again", 12_000);
      assert.ok(
        Number(await page.evaluate("document.getElementById('video').dataset.opened")) > opened,
      );
      await page.waitForTimeout(300);
      assert.ok(await pictureMoves(page), "the picture moves again");
      assert.equal(await text(page, "#state"), "live", "the stats never failed");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await preview.close();
    }
  },
});

Deno.test({
  name: "the preview page colours the state and says it over the video unless live",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const preview = servePreview();
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const errors = watchErrors(page);
      await page.goto(preview.url, { waitUntil: "domcontentloaded" });
      await waitForState(page, "live");
      assert.equal(await page.locator("#state").getAttribute("aria-live"), "polite");
      assert.equal(hue(await stateColour(page)), "green");
      assert.equal(await page.locator("#overlay").isVisible(), false);

      preview.fields.state = "waiting";
      preview.fields.stateReason = "sender silent";
      await waitForState(page, "waiting");
      assert.equal(await text(page, "#state"), "waiting for sender");
      assert.equal(await text(page, "#state-reason"), "sender silent");
      assert.equal(hue(await stateColour(page)), "amber");
      assert.equal(await text(page, "#overlay"), "waiting for sender");
      assert.equal(await page.locator("#overlay").isVisible(), true);

      preview.fields.state = "refused";
      preview.fields.stateReason = "the sender streams to its most receivers (--max-receivers)";
      await waitForState(page, "refused");
      assert.equal(
        await text(page, "#state"),
        "refused: the sender streams to its most receivers (--max-receivers)",
      );
      assert.equal(hue(await stateColour(page)), "red");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await preview.close();
    }
  },
});

Deno.test({
  name: "the page shows the receiver's no-signal frame when the sender stops",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const sender = new ToolProcess("sender", [
      "--source",
      "test",
      "--fps",
      "10",
      "--listen",
      "127.0.0.1:0",
    ]);
    const port = String((await sender.waitFor("listening")).address).split(":").at(-1);
    const receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
    const { url } = await receiver.waitFor("listening");
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
      const errors = watchErrors(page);
      await page.goto(String(url), { waitUntil: "domcontentloaded" });
      await waitForState(page, "live");
      await waitUntil(page, "document.getElementById('video').naturalWidth > 0");
      const live = await pictureShares(page);
      assert.ok(
        live.background < 0.2,
        `the test pattern is not the no-signal frame: ${live.background}`,
      );
      await sender.stop();
      await waitForState(page, "waiting");
      // The picture itself, not the page around it, turns into the drawn frame:
      // mostly its dark background, with the title in red.
      const deadline = Date.now() + 5000;
      let shares = await pictureShares(page);
      while (!(shares.background > 0.8 && shares.red > 0.002) && Date.now() < deadline) {
        await page.waitForTimeout(200);
        shares = await pictureShares(page);
      }
      assert.ok(shares.background > 0.8, `background ${shares.background}`);
      assert.ok(shares.red > 0.002, `red title ${shares.red}`);
      const snapshot = await fetch(new URL("snapshot.jpg", String(url)));
      assert.equal(snapshot.headers.get("x-signal"), "lost");
      await snapshot.body?.cancel();
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await receiver.stop();
      await sender.stop();
    }
  },
});

/**
 * Which shares of the video's current picture are the no-signal frame's
 * background (#101317) and its red title (#ff5c5c), drawn through a canvas.
 */
function pictureShares(page: Page): Promise<{ background: number; red: number }> {
  return page.evaluate(`(() => {
    const video = document.getElementById("video");
    if (video.naturalWidth === 0) return { background: 0, red: 0 };
    const canvas = document.createElement("canvas");
    canvas.width = video.naturalWidth;
    canvas.height = video.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(video, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let background = 0;
    let red = 0;
    const near = (i, r, g, b, d) =>
      Math.abs(data[i] - r) <= d && Math.abs(data[i + 1] - g) <= d && Math.abs(data[i + 2] - b) <= d;
    for (let i = 0; i < data.length; i += 4) {
      if (near(i, 0x10, 0x13, 0x17, 8)) background++;
      else if (near(i, 0xff, 0x5c, 0x5c, 40)) red++;
    }
    const pixels = data.length / 4;
    return { background: background / pixels, red: red / pixels };
  })()`);
}

const CHART_IDS = ["chart-fps", "chart-bitrate", "chart-latency"];

/** What a chart's canvas holds: opaque (line) pixels, a digest of all, and its sizes. */
interface ChartPixels {
  line: number;
  digest: number;
  width: number;
  cssWidth: number;
}

function readCharts(page: Page): Promise<ChartPixels[]> {
  return page.evaluate<ChartPixels[]>(`${JSON.stringify(CHART_IDS)}.map((id) => {
    const canvas = document.getElementById(id);
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let line = 0;
    let digest = 0;
    for (let i = 0; i < data.length; i++) {
      digest = (Math.imul(digest, 31) + data[i]) | 0;
      if (i % 4 === 3 && data[i] > 200) line++;
    }
    return { line, digest, width: canvas.width, cssWidth: canvas.clientWidth };
  })`);
}

/** Where the video and the panel are, and whether the page scrolls. */
interface Layout {
  video: DOMRectLike;
  panel: DOMRectLike;
  panelFits: boolean;
  objectFit: string;
  scrollWidth: number;
  scrollHeight: number;
  clientWidth: number;
  clientHeight: number;
}

interface DOMRectLike {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}

const LAYOUT = `(() => {
  const box = (id) => document.getElementById(id).getBoundingClientRect().toJSON();
  const root = document.documentElement;
  return {
    video: box("video"),
    panel: box("panel"),
    panelFits: document.getElementById("panel").scrollHeight <=
      document.getElementById("panel").clientHeight,
    objectFit: getComputedStyle(document.getElementById("video")).objectFit,
    scrollWidth: Math.max(root.scrollWidth, document.body.scrollWidth),
    scrollHeight: Math.max(root.scrollHeight, document.body.scrollHeight),
    clientWidth: root.clientWidth,
    clientHeight: root.clientHeight,
  };
})()`;

/** The real preview handler and guard, served in-process, with stats the test sets. */
interface ServedPreview {
  /** The page's URL. */
  url: string;
  /** Fields laid over the stats `/stats` serves. */
  fields: Record<string, unknown>;
  /** The handler serving now. */
  readonly handler: PreviewHandler;
  /** Ends every open stream while `/stats` keeps answering, and serves later ones anew. */
  endStreams(): void;
  close(): Promise<void>;
}

/**
 * Serves the preview with 10 fps of the test pattern, and stats shaped like a
 * live receiver's that count those frames.
 */
function servePreview(): ServedPreview {
  let frames = new LatestValue<ReceivedFrame>();
  let published = 0;
  const fields: Record<string, unknown> = {};
  const stats = () => ({
    state: "live",
    stateReason: "frames arriving",
    fps: 10,
    bitrateMbps: 0.8,
    width: 320,
    height: 180,
    framesReceived: published,
    framesDropped: { late: 0 },
    packetsRecovered: 0,
    packetsRebuilt: 0,
    lossPercent: 0,
    rttMs: 0.4,
    latencyMs: { p50: 3.2, p99: 7.9 },
    ...fields,
  });
  let handler = createPreviewHandler({ frames, stats });
  let guarded = (_request: Request) => new Response(null, { status: 503 });
  // The receiver's own server, so the page is tried against what it will meet.
  const server = new HttpServer((request) => guarded(request), { hostname: "127.0.0.1", port: 0 });
  const port = server.addr.port;
  guarded = guardPreview((request) => handler(request), { port, loopback: true });
  const source = new TestPatternSource({ width: 320, height: 180, fps: 10 });
  const feeding = (async () => {
    for await (const frame of source.frames()) {
      published++;
      frames.publish({
        data: frame.data.slice(),
        captureTime: frame.captureTime,
        localCaptureTime: frame.captureTime,
        receivedAt: Date.now(),
        width: 320,
        height: 180,
        frame: published,
      });
    }
  })();
  return {
    url: `http://127.0.0.1:${port}/`,
    fields,
    get handler() {
      return handler;
    },
    endStreams() {
      frames.close();
      frames = new LatestValue();
      handler = createPreviewHandler({ frames, stats });
    },
    async close() {
      await source.close();
      await feeding;
      frames.close();
      await server.shutdown(1000);
    },
  };
}

/** A free TCP port on 127.0.0.1, found by listening on port 0 and closing. */
function freeTcpPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Whether two screenshots of the video, `ms` apart, differ. */
async function pictureMoves(page: Page, ms = 1200): Promise<boolean> {
  const video = page.locator("#video");
  const first = await video.screenshot();
  await page.waitForTimeout(ms);
  const second = await video.screenshot();
  return first.length !== second.length || first.some((byte, i) => byte !== second[i]);
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

/** The colour of `#state`, as red, green and blue. */
async function stateColour(page: Page): Promise<[number, number, number]> {
  const colour = await page.evaluate<string>(
    "getComputedStyle(document.getElementById('state')).color",
  );
  const [r, g, b] = (colour.match(/\d+/g) ?? []).map(Number);
  return [r, g, b];
}

/** Which of the state colours a colour reads as. */
function hue([r, g, b]: [number, number, number]): string {
  if (g > 1.3 * r && g > 1.3 * b) return "green";
  if (r > 1.5 * b && g > 1.5 * b && g >= 0.6 * r) return "amber";
  if (r > 1.5 * g && r > 1.5 * b) return "red";
  return `rgb(${r}, ${g}, ${b})`;
}

/** Waits until `condition` holds, or throws after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}
