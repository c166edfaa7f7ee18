import assert from "node:assert/strict";
import jsqr from "jsqr";
import { terminalQr } from "../../lib/cli/terminal_qr.ts";

/**
 * Reads a QR code printed by {@linkcode terminalQr} back as a phone would:
 * each character two modules high (█ both dark, ▀ the upper, ▄ the lower,
 * space neither), drawn 4 pixels a module, then decoded with jsQR.
 */
function scan(printed: string): string | undefined {
  // deno-lint-ignore no-control-regex
  const rows = printed.replace(/\x1b\[[0-9;]*m/g, "").split("\n").filter((row) => row !== "");
  const width = Math.max(...rows.map((row) => Array.from(row).length));
  const modules: boolean[][] = [];
  for (const row of rows) {
    const chars = Array.from(row.padEnd(width));
    modules.push(chars.map((c) => c === "█" || c === "▀"));
    modules.push(chars.map((c) => c === "█" || c === "▄"));
  }
  const scale = 4;
  const margin = 4 * scale;
  const w = width * scale + 2 * margin;
  const h = modules.length * scale + 2 * margin;
  const pixels = new Uint8ClampedArray(w * h * 4).fill(255);
  modules.forEach((line, y) =>
    line.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const at = ((margin + y * scale + dy) * w + margin + x * scale + dx) * 4;
          pixels[at] = pixels[at + 1] = pixels[at + 2] = 0;
        }
      }
    })
  );
  // The package's types say a default export; as CommonJS it comes one property deeper.
  type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
  const module = jsqr as unknown as Decode | { default: Decode };
  const decode = typeof module === "function" ? module : module.default;
  return decode(pixels, w, h)?.data;
}

Deno.test("the QR code printed for a preview URL scans back to that URL", async () => {
  for (
    const url of [
      "http://192.168.1.20:8081/?token=Zr4x_9kQ-2mVb7LpWc3Nd8HtYs6Ea1Uf",
      "http://10.0.0.5:65535/",
    ]
  ) {
    const printed = await terminalQr(url);
    assert.ok(printed.split("\n").every((row) => !row.includes("\t")));
    assert.equal(scan(printed), url);
  }
});
