import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { Image } from "imagescript";
import { drawText, loadGlyphs, measureText } from "../../lib/image/draw_text.ts";

function blackImage(width: number, height: number): Image {
  return new Image(width, height).fill(0x000000ff);
}

function pixel(image: Image, x: number, y: number): number[] {
  const offset = (y * image.width + x) * 4;
  return Array.from(image.bitmap.subarray(offset, offset + 4));
}

/** Coordinates of every pixel whose colour is not opaque black. */
function litPixels(image: Image): [number, number][] {
  const lit: [number, number][] = [];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = pixel(image, x, y);
      if (r + g + b > 0) lit.push([x, y]);
    }
  }
  return lit;
}

Deno.test("drawText() draws inside the box it returns, in the colour asked for", async () => {
  const image = blackImage(200, 60);
  const box = await drawText(image, "08:15", { x: 10, y: 5, scale: 20, color: 0x00ff00ff });
  const lit = litPixels(image);
  assert.ok(lit.length > 50, `only ${lit.length} pixels drawn`);
  for (const [x, y] of lit) {
    assert.ok(x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height);
    const [r, g, b, a] = pixel(image, x, y);
    assert.deepEqual([r, b, a], [0, 0, 255]);
    assert.ok(g > 0);
  }
  assert.deepEqual(pixel(image, 0, 0), [0, 0, 0, 255]);
  assert.deepEqual({ ...box, x: 0, y: 0 }, await measureText("08:15", { scale: 20 }));
});

Deno.test("drawText() matches Image.renderText() pixel for pixel", async () => {
  const text = "12:34:56.789 #0042 Wg|";
  const image = new Image(400, 40);
  await drawText(image, text, { scale: 18 });
  // drawText() has installed what renderText() needs on Deno 2.
  const font = await Deno.readFile(
    createRequire(import.meta.url).resolve("dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf"),
  );
  const expected = await Image.renderText(font, 18, text, 0xffffffff);
  let differing = 0;
  for (let y = 0; y < expected.height; y++) {
    for (let x = 0; x < expected.width; x++) {
      if (pixel(expected, x, y)[3] !== pixel(image, x, y)[3]) differing++;
    }
  }
  assert.equal(differing, 0);
});

Deno.test("drawText() fills a background box around the text with padding", async () => {
  const image = blackImage(120, 60);
  const box = await drawText(image, "NO", {
    x: 4,
    y: 6,
    scale: 16,
    color: 0xffffffff,
    background: 0x0000ffff,
    padding: 5,
  });
  const text = await measureText("NO", { scale: 16 });
  assert.deepEqual(box, { x: 4, y: 6, width: text.width + 10, height: text.height + 10 });
  assert.deepEqual(pixel(image, 4, 6), [0, 0, 255, 255]);
  assert.deepEqual(pixel(image, box.x + box.width - 1, box.y + box.height - 1), [0, 0, 255, 255]);
  assert.deepEqual(pixel(image, 3, 6), [0, 0, 0, 255]);
  assert.deepEqual(pixel(image, box.x + box.width, box.y), [0, 0, 0, 255]);
  let light = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      if (pixel(image, x, y)[0] > 128) light++;
    }
  }
  assert.ok(light > 20, `only ${light} light pixels`);
});

Deno.test("drawText() blends a translucent colour over what is below", async () => {
  const image = blackImage(40, 30);
  await drawText(image, "\u2588", { scale: 20, color: 0xffffff80 });
  const [r, g, b, a] = pixel(image, 3, 10);
  assert.ok(r > 100 && r < 156, `red is ${r}`);
  assert.equal(g, r);
  assert.equal(b, r);
  assert.equal(a, 255);
});

Deno.test("drawText() clips text that runs off the image", async () => {
  const image = blackImage(30, 10);
  await drawText(image, "WWWWWWWWWW", { x: -7, y: -4, scale: 16 });
  assert.ok(litPixels(image).length > 0);
});

Deno.test("drawText() draws a space as nothing but still advances", async () => {
  const image = blackImage(100, 30);
  const box = await drawText(image, "  ", { scale: 16 });
  assert.equal(litPixels(image).length, 0);
  assert.equal(box.width, (await measureText("ab", { scale: 16 })).width);
});

Deno.test("measureText() gives one line height per line and the widest line's width", async () => {
  const one = await measureText("a", { scale: 24 });
  const lines = await measureText("a\nbbb\ncc", { scale: 24 });
  assert.equal(lines.height, 3 * one.height);
  assert.equal(lines.width, (await measureText("bbb", { scale: 24 })).width);
  assert.ok(one.height >= 24 && one.width >= 12);
});

Deno.test("loadGlyphs() ahead of time changes nothing that drawText() draws", async () => {
  const text = "98:76:54.321 #001234";
  const cold = blackImage(400, 40);
  await drawText(cold, text, { scale: 29 });
  await loadGlyphs("0123456789:.#", { scale: 31 });
  const warmed = blackImage(400, 40);
  await drawText(warmed, text, { scale: 31 });
  const again = blackImage(400, 40);
  await drawText(again, text, { scale: 31 });
  assert.deepEqual(again.bitmap, warmed.bitmap);
  assert.notDeepEqual(cold.bitmap, blackImage(400, 40).bitmap);
});

Deno.test("drawText() leaves Deno.core.encode() and decode() working", async () => {
  await drawText(blackImage(10, 10), "x");
  const core = (Deno as unknown as {
    core: { encode(text: string): Uint8Array; decode(bytes: Uint8Array): string };
  }).core;
  assert.equal(core.decode(core.encode("héllo")), "héllo");
});

Deno.test("drawText() rejects a bad scale, padding or position", async () => {
  const image = blackImage(10, 10);
  await assert.rejects(drawText(image, "x", { scale: 0 }), RangeError);
  await assert.rejects(drawText(image, "x", { scale: 12.5 }), RangeError);
  await assert.rejects(drawText(image, "x", { scale: 1000 }), RangeError);
  await assert.rejects(drawText(image, "x", { background: 0xff, padding: -1 }), RangeError);
  await assert.rejects(drawText(image, "x", { x: NaN }), RangeError);
});
