import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { startReceiver, startSender } from "../_tool.ts";
import {
  decodedMd5,
  hasHuffmanTables,
  standardJpeg,
  stripHuffmanTables,
} from "../image/_strip_huffman.ts";

import { CHROMIUM } from "../preview/_browser.ts";

Deno.test({
  name:
    "frames sent without Huffman tables come out of the preview with the standard ones, for ffmpeg and Chromium alike",
  // Playwright keeps its connection's resources past browser.close().
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const original = await standardJpeg("320x240");
    const stripped = stripHuffmanTables(original);
    // A clip of that frame, as a webcam without tables would send it.
    await Deno.writeFile(`${dir}/frames.mjpeg`, stripped);
    const mux = await new Deno.Command("ffmpeg", {
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        "-framerate",
        "15",
        "-f",
        "mjpeg",
        "-i",
        `${dir}/frames.mjpeg`,
        "-c",
        "copy",
        `${dir}/clip.avi`,
      ],
    }).output();
    assert.ok(mux.success);
    const [sender, port] = await startSender(["--source", `${dir}/clip.avi`, "--loop", "--copy"]);
    const [receiver, url] = await startReceiver(port);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    try {
      await receiver.waitFor("state", (e) => e.to === "live", 15_000);
      const snapshot = new Uint8Array(await (await fetch(`${url}snapshot.jpg`)).arrayBuffer());
      assert.ok(hasHuffmanTables(snapshot), "the snapshot defines its Huffman tables");
      assert.equal(await decodedMd5(snapshot), await decodedMd5(original));
      const page = await browser.newPage();
      await page.goto(url);
      const src = JSON.stringify(`${url}snapshot.jpg`);
      // Decoded by the browser, or the promise rejects.
      const width = await page.evaluate(
        `(async () => { const image = new Image(); image.src = ${src}; await image.decode(); return image.naturalWidth; })()`,
      );
      assert.equal(width, 320);
    } finally {
      await browser.close();
      await receiver.stop();
      await sender.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
