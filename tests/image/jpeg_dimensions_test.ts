import assert from "node:assert/strict";
import { jpegDimensions } from "../../lib/image/jpeg_dimensions.ts";

/** One frame of ffmpeg's test pattern, scaled to `size` (WxH). */
async function ffmpegJpeg(size: string): Promise<Uint8Array> {
  const { code, stdout, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-nostdin"],
      ...[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=10",
        "-vf",
        `scale=${size.replace("x", ":")}`,
      ],
      ...["-frames:v", "1", "-q:v", "5", "-f", "mjpeg", "pipe:1"],
    ],
    stdin: "null",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return stdout;
}

Deno.test("jpegDimensions() reads the size of JPEGs made by ffmpeg", async () => {
  assert.deepEqual(jpegDimensions(await ffmpegJpeg("320x240")), { width: 320, height: 240 });
  assert.deepEqual(jpegDimensions(await ffmpegJpeg("1920x1080")), { width: 1920, height: 1080 });
  assert.deepEqual(jpegDimensions(await ffmpegJpeg("33x17")), { width: 33, height: 17 });
});

Deno.test("jpegDimensions() gives undefined for every cut short header, and never throws", async () => {
  const jpeg = await ffmpegJpeg("320x240");
  const sof = jpeg.findIndex((byte, i) => byte === 0xff && jpeg[i + 1] === 0xc0);
  for (let length = 0; length <= jpeg.length; length++) {
    const dimensions = jpegDimensions(jpeg.subarray(0, length));
    if (length < sof + 9) assert.equal(dimensions, undefined, `${length} bytes`);
    else assert.deepEqual(dimensions, { width: 320, height: 240 }, `${length} bytes`);
  }
});

Deno.test("jpegDimensions() reads SOF2 and skips DHT, which shares the SOF range", () => {
  const jpeg = Uint8Array.of(
    ...[0xff, 0xd8], // SOI
    ...[0xff, 0xe0, 0x00, 0x04, 0xff, 0xc0], // APP0 whose payload looks like a SOF0
    ...[0xff, 0xc4, 0x00, 0x09, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06], // DHT, 7 payload bytes
    ...[0xff, 0xff], // fill byte
    ...[0xff, 0xc2, 0x00, 0x0b], // SOF2 and its length
    0x08, // precision
    ...[0x02, 0xd0], // height 720
    ...[0x05, 0x00], // width 1280
    ...[0x01, 0x01, 0x11, 0x00], // one component
  );
  assert.deepEqual(jpegDimensions(jpeg), { width: 1280, height: 720 });
});

Deno.test("jpegDimensions() gives undefined for data that is not a JPEG header", () => {
  const cases: [string, number[]][] = [
    ["empty", []],
    ["PNG", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
    ["SOI then junk", [0xff, 0xd8, 0x12, 0x34, 0x56, 0x78]],
    ["scan before any SOF", [0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9]],
    ["EOI before any SOF", [0xff, 0xd8, 0xff, 0xd9]],
    ["segment length under 2", [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0xff, 0xc0]],
    ["SOF too short for the size", [
      0xff,
      0xd8,
      0xff,
      0xc0,
      0x00,
      0x05,
      0x08,
      0x00,
      0x10,
      0x00,
      0x10,
    ]],
    ["zero width", [
      0xff,
      0xd8,
      0xff,
      0xc0,
      0x00,
      0x0b,
      0x08,
      0x00,
      0x10,
      0x00,
      0x00,
      1,
      1,
      0x11,
      0,
    ]],
  ];
  for (const [name, bytes] of cases) {
    assert.equal(jpegDimensions(Uint8Array.from(bytes)), undefined, name);
  }
});
