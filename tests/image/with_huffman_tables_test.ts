import assert from "node:assert/strict";
import { withHuffmanTables } from "../../lib/image/mod.ts";
import {
  decodedMd5,
  hasHuffmanTables,
  standardJpeg,
  stripHuffmanTables,
} from "./_strip_huffman.ts";

Deno.test("withHuffmanTables() puts the standard tables into a JPEG without any, and it decodes as before", async () => {
  const original = await standardJpeg();
  const stripped = stripHuffmanTables(original);
  assert.ok(hasHuffmanTables(original) && !hasHuffmanTables(stripped));
  const fixed = withHuffmanTables(stripped);
  assert.ok(hasHuffmanTables(fixed), "tables put in");
  assert.equal(fixed.length, stripped.length + 420, "one DHT segment of the four tables");
  assert.equal(await decodedMd5(fixed), await decodedMd5(original));
});

Deno.test("withHuffmanTables() gives back the same array where it has nothing to add", async () => {
  const original = await standardJpeg();
  assert.equal(withHuffmanTables(original), original, "tables already there");
  const progressive = stripHuffmanTables(original);
  const sof = progressive.findIndex((b, i) => b === 0xff && progressive[i + 1] === 0xc0);
  progressive[sof + 1] = 0xc2;
  assert.equal(withHuffmanTables(progressive), progressive, "progressive");
  for (
    const bytes of [
      new Uint8Array(0),
      Uint8Array.from([0xff, 0xd8]),
      stripHuffmanTables(original).subarray(0, 30),
    ]
  ) {
    assert.equal(withHuffmanTables(bytes), bytes);
  }
  // Never throws, whatever it is given.
  for (let i = 0; i < 2000; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(Math.floor(Math.random() * 200)));
    bytes[0] = 0xff;
    bytes[1] = 0xd8;
    withHuffmanTables(bytes);
  }
});
