import assert from "node:assert/strict";
import { jpegDimensions } from "../../lib/image/jpeg_dimensions.ts";
import { JpegSplitter, type JpegSplitterOptions } from "../../lib/capture/jpeg_splitter.ts";

/** Runs ffmpeg's test pattern through its MJPEG encoder and returns the raw stream. */
async function ffmpegMjpeg(size: string, frames: number): Promise<Uint8Array> {
  const { code, stdout, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-nostdin"],
      ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=10`],
      ...["-frames:v", String(frames), "-q:v", "5", "-f", "mjpeg", "pipe:1"],
    ],
    stdin: "null",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return stdout;
}

const STREAM = await ffmpegMjpeg("320x240", 5);
const SMALL_STREAM = await ffmpegMjpeg("32x24", 2);

/** Feeds `chunks` (copied, as fresh buffers) through a splitter and collects its output. */
async function split(chunks: Uint8Array[], options?: JpegSplitterOptions): Promise<Uint8Array[]> {
  const input = ReadableStream.from(chunks.map((chunk) => chunk.slice()));
  return await Array.fromAsync(input.pipeThrough(new JpegSplitter(options)));
}

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A small xorshift generator, so that "random" cuts are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** Checks that `frames` are whole JPEGs that together make up `stream`. */
function assertSplit(frames: Uint8Array[], stream: Uint8Array, count: number) {
  assert.equal(frames.length, count);
  for (const frame of frames) {
    assert.deepEqual([frame[0], frame[1]], [0xff, 0xd8]);
    assert.deepEqual([frame.at(-2), frame.at(-1)], [0xff, 0xd9]);
  }
  assert.deepEqual(concat(...frames), stream);
}

Deno.test("JpegSplitter splits ffmpeg's MJPEG stream into whole JPEGs", async () => {
  const frames = await split([STREAM]);
  assertSplit(frames, STREAM, 5);
  for (const frame of frames) assert.deepEqual(jpegDimensions(frame), { width: 320, height: 240 });
});

Deno.test("JpegSplitter gives the same JPEGs with chunks of 1, 7 and 4096 bytes", async () => {
  const whole = await split([STREAM]);
  for (const size of [1, 7, 4096]) {
    assert.deepEqual(await split(chunked(STREAM, size)), whole, `chunks of ${size}`);
  }
});

Deno.test("JpegSplitter gives the same JPEGs whichever byte a chunk ends on", async () => {
  const whole = await split([SMALL_STREAM]);
  assertSplit(whole, SMALL_STREAM, 2);
  for (let cut = 1; cut < SMALL_STREAM.length; cut++) {
    const frames = await split([SMALL_STREAM.subarray(0, cut), SMALL_STREAM.subarray(cut)]);
    assert.deepEqual(frames, whole, `cut at ${cut}`);
  }
});

Deno.test("JpegSplitter gives the same JPEGs with chunks cut at random", async () => {
  const whole = await split([STREAM]);
  const next = random(0x5eed);
  for (let round = 0; round < 50; round++) {
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < STREAM.length;) {
      const size = 1 + Math.floor(next() * (next() < 0.5 ? 16 : 20_000));
      chunks.push(STREAM.subarray(i, i + size));
      i += size;
    }
    assert.deepEqual(await split(chunks), whole, `round ${round}`);
  }
});

Deno.test("JpegSplitter passes a JPEG inside one chunk on without copying", async () => {
  const chunk = STREAM.slice();
  const frames = await Array.fromAsync(
    ReadableStream.from([chunk]).pipeThrough(new JpegSplitter()),
  );
  assert.equal(frames.length, 5);
  for (const frame of frames) assert.equal(frame.buffer, chunk.buffer);
});

Deno.test("JpegSplitter skips an APP1 segment that holds a thumbnail with FFD9", async () => {
  const [first, second] = await split([SMALL_STREAM]);
  const app1Payload = concat(
    new TextEncoder().encode("Exif\0\0"),
    second, // a whole JPEG as a thumbnail: FFD8 ... FFD9
    Uint8Array.of(0xff, 0xd9, 0xff, 0xd8, 0xff, 0x00),
  );
  const length = app1Payload.length + 2;
  const withExif = concat(
    first.subarray(0, 2), // SOI
    Uint8Array.of(0xff, 0xe1, length >> 8, length & 0xff), // APP1 marker and length
    app1Payload,
    first.subarray(2), // the rest of the first JPEG
  );
  const stream = concat(withExif, second);
  for (const size of [1, 3, stream.length]) {
    assertSplit(await split(chunked(stream, size)), stream, 2);
  }
});

Deno.test("JpegSplitter follows a progressive JPEG through several scans", async () => {
  // Structure only: the bytes would not decode, but every segment has a valid length.
  const jpeg = Uint8Array.of(
    ...[0xff, 0xd8], // SOI
    ...[0xff, 0xc2, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00], // SOF2 32x16
    ...[0xff, 0xc4, 0x00, 0x04, 0x00, 0x00], // DHT (cut down)
    ...[0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00], // SOS, first scan
    ...[0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xd7, 0x78], // data, stuffed byte, RST0, RST7
    ...[0xff, 0xc4, 0x00, 0x04, 0xff, 0xd9], // DHT whose payload holds FFD9
    ...[0xff, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3f, 0x00], // fill byte, SOS
    ...[0x9a, 0xff, 0x00, 0xbc], // data of the second scan
    ...[0xff, 0xd9], // EOI
  );
  const stream = concat(jpeg, jpeg);
  for (let cut = 1; cut < stream.length; cut++) {
    const frames = await split([stream.subarray(0, cut), stream.subarray(cut)]);
    assert.deepEqual(frames, [jpeg, jpeg], `cut at ${cut}`);
  }
  assert.deepEqual(jpegDimensions(jpeg), { width: 32, height: 16 });
});

Deno.test("JpegSplitter skips garbage before, between and after JPEGs", async () => {
  const [first, second] = await split([SMALL_STREAM]);
  const garbage = Uint8Array.of(0x00, 0xff, 0xd9, 0xff, 0xff, 0x12, 0xff, 0x00, 0xd8, 0xff);
  const stream = concat(garbage, first, garbage, second, garbage);
  for (const size of [1, 2, 5, stream.length]) {
    assert.deepEqual(await split(chunked(stream, size)), [first, second], `chunks of ${size}`);
  }
});

Deno.test("JpegSplitter drops a JPEG cut short by the next SOI or by the end", async () => {
  const [first, second] = await split([SMALL_STREAM]);
  const stream = concat(first.subarray(0, 300), second, first.subarray(0, first.length - 1));
  for (const size of [1, 64, stream.length]) {
    assert.deepEqual(await split(chunked(stream, size)), [second], `chunks of ${size}`);
  }
});

Deno.test("JpegSplitter drops a JPEG over the size bound and finds the next one", async () => {
  const [small] = await split([SMALL_STREAM]);
  const big = (await split([STREAM]))[0];
  assert.ok(big.length > 2 * small.length);
  const stream = concat(small, big, small, big, small);
  const maxFrameSize = small.length + 100;
  for (const size of [1, 1000, stream.length]) {
    assert.deepEqual(
      await split(chunked(stream, size), { maxFrameSize }),
      [small, small, small],
      `chunks of ${size}`,
    );
  }
});

Deno.test("JpegSplitter keeps no more than the size bound of an endless JPEG", async () => {
  // SOI, then entropy-coded data that never ends.
  const start = Uint8Array.of(0xff, 0xd8, 0xff, 0xda, 0x00, 0x02);
  const splitter = new JpegSplitter({ maxFrameSize: 10_000 });
  const writer = splitter.writable.getWriter();
  const reader = splitter.readable.getReader();
  const reading = reader.read();
  await writer.write(start);
  for (let i = 0; i < 100; i++) await writer.write(new Uint8Array(4096).fill(0x55));
  const [small] = await split([SMALL_STREAM]);
  await writer.write(small.slice());
  await writer.close();
  assert.deepEqual((await reading).value, small);
  assert.equal((await reader.read()).done, true);
});

Deno.test("JpegSplitter rejects a size bound that is not a positive whole number", () => {
  for (const maxFrameSize of [0, -1, 1.5, NaN]) {
    assert.throws(() => new JpegSplitter({ maxFrameSize }), { name: "RangeError" });
  }
});
