import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { ToolProcess } from "./_tool.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

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
      await page.waitForFunction(`${naturalWidth} > 0`, undefined, { timeout: 15_000 });
      await page.waitForFunction(
        "document.getElementById('state').textContent === 'live'",
        undefined,
        { timeout: 15_000 },
      );
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
      await page.waitForFunction(
        "document.getElementById('state').dataset.state === 'refused'",
        undefined,
        { timeout: 10_000 },
      );
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

function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
