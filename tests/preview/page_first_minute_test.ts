/**
 * The preview page in Chromium, as a new user meets it: on a phone and on a
 * laptop, with a token bookmarked or pasted, with a key and a recording, with
 * the sender gone, and embedded in a page of another origin.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { Image } from "imagescript";
import { startReceiver, startSender, ToolProcess } from "../_tool.ts";
import { launch, waitForState, waitUntil, watchErrors } from "./_browser.ts";

/** Playwright keeps its connection's resources past browser.close(). */
const CHROMIUM_TEST = { sanitizeResources: false, sanitizeOps: false };

/** Runs `fn` with Chromium, closing it after. */
async function withBrowser(fn: (browser: Browser) => Promise<void>): Promise<void> {
  const browser = await launch();
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

/** The share of the stage's rows that are all black (letterbox bars), from a screenshot. */
async function blackRowShare(page: Page): Promise<number> {
  const image = await Image.decode(await page.locator("#stage").screenshot({ type: "png" }));
  let black = 0;
  for (let y = 1; y <= image.height; y++) {
    let dark = true;
    for (let x = 1; x <= image.width && dark; x += 2) {
      const [r, g, b] = Image.colorToRGBA(image.getPixelAt(x, y));
      dark = r < 12 && g < 12 && b < 12;
    }
    if (dark) black++;
  }
  return black / image.height;
}

Deno.test({
  name:
    "on a 390x844 phone the picture fills the width with no black bars, its buttons on it; at 1280x800 the panel is beside it",
  ...CHROMIUM_TEST,
  async fn() {
    const [sender, port] = await startSender(["--source", "test"]);
    const [receiver, url] = await startReceiver(port);
    try {
      await withBrowser(async (browser) => {
        const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
        const errors = watchErrors(phone);
        await phone.goto(url);
        await waitForState(phone, "live");
        await waitUntil(phone, "document.getElementById('video').naturalWidth > 0");
        await phone.waitForTimeout(300);
        const black = await blackRowShare(phone);
        assert.ok(black < 0.05, `black rows: ${(black * 100).toFixed(1)} % of the picture's area`);
        const stage = (await phone.locator("#stage").boundingBox())!;
        const controls = (await phone.locator("#controls").boundingBox())!;
        assert.ok(stage.width >= 389, `the picture spans the width: ${stage.width}`);
        assert.ok(
          controls.y >= stage.y && controls.y + controls.height <= stage.y + stage.height,
          "the buttons are on the picture",
        );
        assert.ok(stage.height < 844 / 2, `the panel gets the rest: stage ${stage.height}`);
        assert.deepEqual(errors, []);

        const laptop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await laptop.goto(url);
        await waitForState(laptop, "live");
        const wide = (await laptop.locator("#stage").boundingBox())!;
        const panel = (await laptop.locator("#panel").boundingBox())!;
        assert.ok(panel.x >= wide.x + wide.width - 1, "the panel beside the picture");
        assert.ok(wide.height >= 799, "the picture the full height");
      });
    } finally {
      await receiver.stop();
      await sender.stop();
    }
  },
});

Deno.test({
  name:
    "with a key and a recording the page shows the encrypted and REC badges; a refused reason wraps on a phone",
  ...CHROMIUM_TEST,
  async fn() {
    const dir = await Deno.makeTempDir();
    const key = "a-key-of-twenty-chars-or-so";
    const [sender, port] = await startSender(["--source", "test", "--key", key]);
    const [receiver, url] = await startReceiver(port, ["--key", key, "--record", `${dir}/a.mkv`]);
    const [refused, refusedUrl] = await startReceiver(port, [
      "--key",
      "another-key-of-twenty-chars",
    ]);
    try {
      await withBrowser(async (browser) => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(url);
        await waitForState(page, "live");
        await waitUntil(page, "!document.getElementById('badge-rec').hidden");
        assert.equal(await page.locator("#badge-sealed").isVisible(), true);
        assert.equal(await page.locator("#badge-rec").isVisible(), true);

        const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
        await phone.goto(refusedUrl);
        await waitForState(phone, "refused", 20_000);
        assert.equal(await phone.locator("#badge-rec").isVisible(), false);
        const overflow = await phone.evaluate(
          "[...document.querySelectorAll('#state, #state-reason, #panel')].map((e) => e.scrollWidth - e.clientWidth)",
        ) as number[];
        assert.deepEqual(overflow, [0, 0, 0], "the refused reason wraps inside the panel");
      });
    } finally {
      await refused.stop();
      await receiver.stop();
      await sender.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "with the sender gone the sender's facts are shown as of when they held, the uptime stops, and with the receiver gone the frozen picture is dimmed",
  ...CHROMIUM_TEST,
  async fn() {
    const [sender, port] = await startSender(["--source", "test", "--name", "porch"]);
    const [receiver, url] = await startReceiver(port);
    try {
      await withBrowser(async (browser) => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(url);
        await waitForState(page, "live");
        await waitUntil(page, "document.getElementById('sender-name').textContent === 'porch'");
        assert.equal(await page.locator("#sender-name").getAttribute("data-as-of"), "false");
        await sender.stop();
        await waitUntil(
          page,
          "document.getElementById('state').dataset.state !== 'live'",
          15_000,
        );
        await waitUntil(
          page,
          "/^porch \\(as of \\d\\d:\\d\\d:\\d\\d\\)$/.test(document.getElementById('sender-name').textContent)",
        );
        const uptime = await page.locator("#uptime").textContent();
        assert.match(uptime ?? "", /\(as of /);
        await page.waitForTimeout(2200);
        assert.equal(await page.locator("#uptime").textContent(), uptime, "the uptime stopped");
        assert.equal(await page.locator("#latency").textContent(), "-");

        await receiver.stop();
        await waitForState(page, "unreachable", 15_000);
        const filter = await page.evaluate(
          "getComputedStyle(document.getElementById('video')).filter",
        );
        assert.match(String(filter), /brightness\(0\.4\)/);
      });
    } finally {
      await receiver.stop();
      await sender.stop();
    }
  },
});

Deno.test({
  name:
    "the token leaves the address bar once kept; a bookmark without it opens; a browser without it gets a page to paste it in",
  ...CHROMIUM_TEST,
  async fn() {
    const home = await Deno.makeTempDir();
    const [sender, port] = await startSender(["--source", "test"]);
    const receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "0.0.0.0:0"], {
      XDG_CONFIG_HOME: home,
    });
    try {
      const url = new URL(String((await receiver.waitFor("listening")).url));
      const bare = `${url.origin}/`;
      await withBrowser(async (browser) => {
        const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
        const page = await context.newPage();
        const errors = watchErrors(page);
        await page.goto(url.href);
        await waitForState(page, "live");
        assert.equal(page.url(), bare, "no token in the address bar");
        // The bookmark: the address with no token.
        await page.goto(bare);
        await waitForState(page, "live");
        await waitUntil(page, "document.getElementById('video').naturalWidth > 0");
        assert.deepEqual(
          await context.cookies(),
          [],
          "no cookie: every port of the host would get it",
        );
        assert.deepEqual(errors.filter((e) => !e.includes("401")), []);

        const stranger = await (await browser.newContext()).newPage();
        const response = await stranger.goto(bare);
        assert.equal(response?.status(), 401);
        await stranger.locator("input[name=token]").fill(url.href);
        await stranger.locator("button[type=submit]").click();
        await waitForState(stranger, "live");
        assert.equal(stranger.url(), bare);
      });
    } finally {
      await receiver.stop();
      await sender.stop();
      await Deno.remove(home, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "--allow-embed lets a page of another origin show the stream in an <img>; without it the browser blocks it",
  ...CHROMIUM_TEST,
  async fn() {
    const [sender, port] = await startSender(["--source", "test"]);
    for (const allow of [false, true]) {
      const [receiver, url] = await startReceiver(port, allow ? ["--allow-embed"] : []);
      // A dashboard on another origin (another port), embedding the stream.
      const dashboard = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        () =>
          new Response(
            `<!doctype html><img id="cam" src="${new URL("stream.mjpg", url).href}">`,
            { headers: { "content-type": "text/html" } },
          ),
      );
      try {
        await withBrowser(async (browser) => {
          const page = await browser.newPage();
          await page.goto(`http://127.0.0.1:${dashboard.addr.port}/`);
          await page.waitForTimeout(2500);
          const width = await page.evaluate("document.getElementById('cam').naturalWidth");
          assert.equal(width === 640, allow, `embedded with --allow-embed ${allow}: ${width}`);
        });
      } finally {
        await dashboard.shutdown();
        await receiver.stop();
      }
    }
    await sender.stop();
  },
});
