import assert from "node:assert/strict";
import {
  decodeTutorialFrame,
  encodeTutorialFrame,
  TUTORIAL_GREETING,
  TUTORIAL_MAX_DATAGRAM,
  TUTORIAL_MAX_JPEG,
} from "../../lib/tutorial/mod.ts";

/** A JPEG-looking buffer of `length` bytes: the start marker, then filler. */
function fakeJpeg(length: number): Uint8Array {
  const bytes = new Uint8Array(length).map((_, i) => (i * 31) & 0xff);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return bytes;
}

Deno.test("a frame is its JPEG in base64, as the tutorial's server sends it, and reads back", () => {
  const jpeg = fakeJpeg(1000);
  const datagram = encodeTutorialFrame(jpeg);
  assert.equal(new TextDecoder().decode(datagram), jpeg.toBase64());
  assert.deepEqual(decodeTutorialFrame(datagram), jpeg);
});

Deno.test("the largest JPEG that fits makes a datagram of at most 65,507 bytes; one byte more is refused", () => {
  assert.equal(TUTORIAL_MAX_JPEG, 49_128);
  assert.ok(encodeTutorialFrame(fakeJpeg(TUTORIAL_MAX_JPEG)).length <= TUTORIAL_MAX_DATAGRAM);
  // Its base64 is 65,508 bytes: over what one datagram carries.
  assert.ok(Math.ceil((TUTORIAL_MAX_JPEG + 1) / 3) * 4 > TUTORIAL_MAX_DATAGRAM);
  assert.throws(() => encodeTutorialFrame(fakeJpeg(TUTORIAL_MAX_JPEG + 1)), RangeError);
});

Deno.test("what is not base64 of a JPEG is no frame: the greeting, junk, base64 of other bytes, a cut frame", () => {
  assert.equal(decodeTutorialFrame(TUTORIAL_GREETING), undefined);
  assert.equal(decodeTutorialFrame(new TextEncoder().encode("/9j/ not base64 at all!")), undefined);
  assert.equal(
    decodeTutorialFrame(new TextEncoder().encode(new Uint8Array(64).toBase64())),
    undefined,
  );
  const datagram = encodeTutorialFrame(fakeJpeg(300));
  // Cut inside a group of four characters: not base64 any more.
  assert.equal(decodeTutorialFrame(datagram.subarray(0, 101)), undefined);
  assert.equal(decodeTutorialFrame(new Uint8Array(0)), undefined);
  const random = crypto.getRandomValues(new Uint8Array(2000));
  random.set([0x2f, 0x39]);
  assert.equal(decodeTutorialFrame(random), undefined);
});
