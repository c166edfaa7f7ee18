import assert from "node:assert/strict";
import { Image } from "imagescript";
import { jpegDimensions } from "../../lib/image/mod.ts";
import { FIT_LADDER, JpegFitter, nextFitRung, TUTORIAL_MAX_JPEG } from "../../lib/tutorial/mod.ts";
import { clipFrames, makeClip } from "../_media.ts";

Deno.test("the next frame starts one rung better when the last left 40 % room, else where it fitted", () => {
  assert.equal(nextFitRung(3, 60, 100), 2);
  assert.equal(nextFitRung(3, 61, 100), 3);
  assert.equal(nextFitRung(0, 10, 100), 0);
  assert.equal(FIT_LADDER[0].scale, 1);
  assert.equal(FIT_LADDER.at(-1)!.scale, 0.25);
});

Deno.test("a JPEG too large for one datagram comes out of the worker under the limit, whole and decodable; a small one passes as it is", async () => {
  const dir = await Deno.makeTempDir();
  const fitter = new JpegFitter(TUTORIAL_MAX_JPEG);
  try {
    const large = await makeClip(dir, {
      width: 1280,
      height: 720,
      fps: 30,
      seconds: 0.2,
      noise: 40,
      qscale: 2,
    });
    const [frame] = await clipFrames(large);
    assert.ok(frame.length > 3 * TUTORIAL_MAX_JPEG, `the clip's frame is large: ${frame.length}`);
    await fitter.ready();
    const fitted = await fitter.fit(frame);
    assert.ok(fitted !== undefined && fitted.length <= TUTORIAL_MAX_JPEG, `${fitted?.length}`);
    const decoded = await Image.decode(fitted);
    const size = jpegDimensions(fitted)!;
    assert.equal(decoded.width, size.width);
    assert.ok(size.width <= 1280 && size.width >= 320 && size.width * 9 === size.height * 16);
    assert.equal(fitter.refitted, 1);
    // The next frame starts at the rung found, not from the top again.
    assert.ok(fitter.rung > 0, `rung ${fitter.rung}`);

    const small = await makeClip(dir, {
      width: 320,
      height: 240,
      fps: 30,
      seconds: 0.2,
      noise: 0,
      qscale: 5,
    });
    const [smallFrame] = await clipFrames(small);
    assert.equal(await fitter.fit(smallFrame), smallFrame, "passed as it is, the same bytes");
    assert.equal(fitter.refitted, 1);
  } finally {
    await fitter.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a JPEG the worker cannot decode fails that call alone; one too large to decode, or that no rung makes fit, is undefined", async () => {
  const fitter = new JpegFitter(100);
  try {
    const tiny = new Image(16, 16).fill(0x336699ff);
    const jpeg = new Uint8Array(await tiny.encodeJPEG(50));
    // Its headers, then junk where the picture should be: the worker fails on it.
    const broken = new Uint8Array(jpeg.length + 2000).fill(0x5a);
    broken.set(jpeg.subarray(0, jpeg.length - 40));
    await assert.rejects(fitter.fit(broken));
    // No frame header, or one claiming a picture too large to decode: not given to the worker.
    const junk = new Uint8Array(1000);
    junk.set([0xff, 0xd8, 0xff]);
    assert.equal(await fitter.fit(junk), undefined);
    const huge = jpeg.slice();
    const sof = huge.findIndex((byte, i) => byte === 0xff && huge[i + 1] === 0xc0);
    huge.set([0xfe, 0xfe, 0xfe, 0xfe], sof + 5); // 65,278 x 65,278
    const hugeJpeg = new Uint8Array([...huge, ...new Uint8Array(1000)]);
    assert.equal(await fitter.fit(hugeJpeg), undefined);
    assert.ok(jpeg.length > 100, "its headers alone are over the limit");
    // The worker still answers after a failed call: no rung fits.
    assert.equal(await fitter.fit(jpeg), undefined);
  } finally {
    await fitter.close();
  }
});
