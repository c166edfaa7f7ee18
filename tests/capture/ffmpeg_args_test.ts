import assert from "node:assert/strict";
import { Image } from "imagescript";
import { drawtextFilter, drawtextFont } from "../../lib/overlay/drawtext_filter.ts";
import { ffmpegArgs, jpegQuantizer } from "../../lib/capture/ffmpeg_args.ts";
import { installHint } from "../../lib/ffmpeg/install_hint.ts";
import { JpegSplitter } from "../../lib/capture/jpeg_splitter.ts";
import { parseOverlayText } from "../../lib/overlay/overlay_text.ts";
import type { SourceSpec } from "../../lib/capture/source_spec.ts";

const HEAD = ["-hide_banner", "-loglevel", "error", "-nostdin", "-nostats"];
/** Output with quality 80 and no filters. */
const MJPEG_80 = [
  "-an",
  "-pix_fmt",
  "yuvj420p",
  "-c:v",
  "mjpeg",
  "-q:v",
  "8",
  "-fps_mode",
  "passthrough",
  "-f",
  "mjpeg",
  "-flush_packets",
  "1",
  "pipe:1",
];
const COPY = [
  "-an",
  "-c:v",
  "copy",
  "-fps_mode",
  "passthrough",
  "-f",
  "mjpeg",
  "-flush_packets",
  "1",
  "pipe:1",
];

Deno.test("ffmpegArgs() opens /dev/video0 with v4l2 for the default Linux camera", () => {
  assert.deepEqual(
    ffmpegArgs({ kind: "camera" }, { os: "linux", quality: 80 }),
    [...HEAD, "-f", "v4l2", "-i", "/dev/video0", ...MJPEG_80],
  );
});

Deno.test("ffmpegArgs() turns a Linux camera index into /dev/videoN and keeps a path", () => {
  assert.deepEqual(
    ffmpegArgs({ kind: "camera", device: "2" }, { os: "linux", quality: 80 }),
    [...HEAD, "-f", "v4l2", "-i", "/dev/video2", ...MJPEG_80],
  );
  assert.deepEqual(
    ffmpegArgs({ kind: "camera", device: "/dev/video1" }, { os: "linux", quality: 80 }),
    [...HEAD, "-f", "v4l2", "-i", "/dev/video1", ...MJPEG_80],
  );
});

Deno.test("ffmpegArgs() opens a Windows camera by name with dshow", () => {
  assert.deepEqual(
    ffmpegArgs({ kind: "camera", device: "Integrated Camera" }, { os: "windows", quality: 80 }),
    [...HEAD, "-f", "dshow", "-i", "video=Integrated Camera", ...MJPEG_80],
  );
});

Deno.test("ffmpegArgs() rejects a Windows camera without a name", () => {
  assert.throws(() => ffmpegArgs({ kind: "camera" }, { os: "windows", quality: 80 }), {
    name: "TypeError",
    message: /needs its device name/,
  });
});

Deno.test("ffmpegArgs() opens a macOS camera with avfoundation at 30 fps", () => {
  assert.deepEqual(
    ffmpegArgs({ kind: "camera" }, { os: "darwin", quality: 80 }),
    [...HEAD, "-f", "avfoundation", "-framerate", "30", "-i", "0:none", ...MJPEG_80],
  );
  assert.deepEqual(
    ffmpegArgs({ kind: "camera", device: "FaceTime HD Camera" }, { os: "darwin", quality: 80 }),
    [
      ...HEAD,
      "-f",
      "avfoundation",
      "-framerate",
      "30",
      "-i",
      "FaceTime HD Camera:none",
      ...MJPEG_80,
    ],
  );
  assert.deepEqual(
    ffmpegArgs({ kind: "camera", device: "1" }, { os: "darwin", quality: 80 }),
    [...HEAD, "-f", "avfoundation", "-framerate", "30", "-i", "1:none", ...MJPEG_80],
  );
});

Deno.test("ffmpegArgs() caps a camera's fps with a filter, never asking the camera for it", () => {
  const linux = ffmpegArgs({ kind: "camera" }, { os: "linux", fps: 15, quality: 80 });
  assert.deepEqual(linux.slice(HEAD.length, HEAD.length + 4), ["-f", "v4l2", "-i", "/dev/video0"]);
  assert.match(linux[linux.indexOf("-vf") + 1], /^select='.*'$/);
  const windows = ffmpegArgs({ kind: "camera", device: "Cam" }, {
    os: "windows",
    fps: 15,
    quality: 80,
  });
  assert.deepEqual(windows.slice(HEAD.length, HEAD.length + 4), ["-f", "dshow", "-i", "video=Cam"]);
  const darwin = ffmpegArgs({ kind: "camera" }, { os: "darwin", fps: 15, quality: 80 });
  assert.deepEqual(darwin.slice(HEAD.length, HEAD.length + 6), [
    "-f",
    "avfoundation",
    "-framerate",
    "30",
    "-i",
    "0:none",
  ]);
  assert.match(darwin[darwin.indexOf("-vf") + 1], /^select='.*'$/);
});

Deno.test("ffmpegArgs() plays an HTTP URL at real-time speed and a live URL as it comes", () => {
  assert.deepEqual(
    ffmpegArgs({ kind: "url", url: "https://example.com/a.mp4" }, {
      os: "linux",
      quality: 80,
      loop: true,
    }),
    [...HEAD, "-re", "-stream_loop", "-1", "-i", "https://example.com/a.mp4", ...MJPEG_80],
  );
  assert.deepEqual(
    ffmpegArgs({ kind: "url", url: "rtsp://cam/stream" }, { os: "linux", quality: 80 }),
    [...HEAD, "-i", "rtsp://cam/stream", ...MJPEG_80],
  );
});

Deno.test("ffmpegArgs() plays a file at real-time speed, looping when asked", () => {
  assert.deepEqual(
    ffmpegArgs({ kind: "file", path: "clip.mp4" }, { os: "linux", quality: 80 }),
    [...HEAD, "-re", "-i", "clip.mp4", ...MJPEG_80],
  );
  assert.deepEqual(
    ffmpegArgs({ kind: "file", path: "clip.mp4" }, { os: "linux", quality: 80, loop: true }),
    [...HEAD, "-re", "-stream_loop", "-1", "-i", "clip.mp4", ...MJPEG_80],
  );
});

Deno.test("ffmpegArgs() reads a URL live, without -re", () => {
  assert.deepEqual(
    ffmpegArgs({ kind: "url", url: "rtsp://cam/live" }, { os: "windows", quality: 80 }),
    [...HEAD, "-i", "rtsp://cam/live", ...MJPEG_80],
  );
});

Deno.test("ffmpegArgs() scales without upscaling, caps the rate and sets the quantizer", () => {
  const args = ffmpegArgs({ kind: "file", path: "a.mp4" }, {
    os: "linux",
    width: 640,
    fps: 10,
    quality: 100,
  });
  const i = "if(isnan(t),1,st(1,t-ld(0));if(gte(ld(1),-0.01)+lt(ld(1),-1)," +
    "st(0,if(gte(ld(1),-0.01)*lt(ld(1),0.1),ld(0),t)+0.1);1,0))";
  assert.deepEqual(args, [
    ...HEAD,
    "-re",
    "-i",
    "a.mp4",
    "-an",
    "-vf",
    `select='${i}',scale='min(iw,640)':-2`,
    "-pix_fmt",
    "yuvj420p",
    "-c:v",
    "mjpeg",
    "-q:v",
    "2",
    "-fps_mode",
    "passthrough",
    "-f",
    "mjpeg",
    "-flush_packets",
    "1",
    "pipe:1",
  ]);
  const scaled = ffmpegArgs({ kind: "url", url: "http://a/b" }, {
    os: "linux",
    width: 320,
    quality: 1,
  });
  assert.deepEqual(scaled.slice(scaled.indexOf("-vf"), scaled.indexOf("-vf") + 2), [
    "-vf",
    "scale='min(iw,320)':-2",
  ]);
  assert.equal(scaled[scaled.indexOf("-q:v") + 1], "31");
});

Deno.test("ffmpegArgs() passes JPEG frames through with copy", () => {
  assert.deepEqual(
    ffmpegArgs({ kind: "file", path: "a.avi" }, { os: "linux", quality: 80, copy: true }),
    [...HEAD, "-re", "-i", "a.avi", ...COPY],
  );
  assert.deepEqual(
    ffmpegArgs({ kind: "camera" }, { os: "linux", quality: 80, copy: true }),
    [...HEAD, "-f", "v4l2", "-input_format", "mjpeg", "-i", "/dev/video0", ...COPY],
  );
  assert.deepEqual(
    ffmpegArgs({ kind: "camera", device: "Cam" }, { os: "windows", quality: 80, copy: true }),
    [...HEAD, "-f", "dshow", "-vcodec", "mjpeg", "-i", "video=Cam", ...COPY],
  );
});

Deno.test("ffmpegArgs() rejects copy with width or fps, and with an avfoundation camera", () => {
  const file = { kind: "file", path: "a.avi" } as const;
  assert.throws(() => ffmpegArgs(file, { os: "linux", quality: 80, copy: true, width: 640 }), {
    name: "TypeError",
    message: /cannot be combined with width or fps/,
  });
  assert.throws(() => ffmpegArgs(file, { os: "linux", quality: 80, copy: true, fps: 10 }), {
    name: "TypeError",
  });
  assert.throws(() => ffmpegArgs({ kind: "camera" }, { os: "darwin", quality: 80, copy: true }), {
    name: "TypeError",
  });
});

Deno.test("ffmpegArgs() rejects the test source, which needs no ffmpeg", () => {
  assert.throws(() => ffmpegArgs({ kind: "test" }, { os: "linux", quality: 80 }), {
    name: "TypeError",
    message: /does not run ffmpeg/,
  });
});

Deno.test("ffmpegArgs() rejects a quality, width or fps out of range", () => {
  const file = { kind: "file", path: "a.mp4" } as const;
  for (const quality of [0, 101, 50.5, NaN]) {
    assert.throws(() => ffmpegArgs(file, { os: "linux", quality }), { name: "RangeError" });
  }
  for (const width of [0, -10, 12.5]) {
    assert.throws(() => ffmpegArgs(file, { os: "linux", quality: 80, width }), {
      name: "RangeError",
    });
  }
  for (const fps of [0, -1, Infinity]) {
    assert.throws(() => ffmpegArgs(file, { os: "linux", quality: 80, fps }), {
      name: "RangeError",
    });
  }
});

Deno.test("jpegQuantizer() maps quality 100 to 2, 80 to 8 and 1 to 31", () => {
  assert.equal(jpegQuantizer(100), 2);
  assert.equal(jpegQuantizer(90), 5);
  assert.equal(jpegQuantizer(80), 8);
  assert.equal(jpegQuantizer(50), 17);
  assert.equal(jpegQuantizer(1), 31);
  let last = Infinity;
  for (let quality = 1; quality <= 100; quality++) {
    const q = jpegQuantizer(quality);
    assert.ok(q <= last && q >= 2 && q <= 31);
    last = q;
  }
});

Deno.test("installHint() names the usual installer of each system", () => {
  assert.match(installHint("linux"), /^sudo apt install ffmpeg .*dnf.*pacman/);
  assert.equal(installHint("darwin"), "brew install ffmpeg");
  assert.equal(installHint("windows"), "winget install Gyan.FFmpeg");
  assert.ok(!installHint("netbsd").includes("\n"));
});

/** Runs the output half of `args` on a lavfi test source and counts the JPEGs. */
async function countFrames(args: string[], source: string): Promise<number> {
  const output = args.slice(args.indexOf("-an"));
  const child = new Deno.Command("ffmpeg", {
    args: [...args.slice(0, HEAD.length), "-f", "lavfi", "-i", source, "-t", "4", ...output],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let count = 0;
  for await (const _ of child.stdout.pipeThrough(new JpegSplitter())) count++;
  assert.equal((await child.status).code, 0);
  return count;
}

Deno.test("ffmpegArgs() caps the frame rate in real ffmpeg without duplicating frames", async () => {
  const capped = (fps: number) =>
    ffmpegArgs({ kind: "url", url: "unused" }, { os: "linux", fps, width: 160, quality: 50 });
  // Four seconds of each source.
  assert.equal(await countFrames(capped(30), "testsrc2=size=320x240:rate=30"), 120);
  assert.equal(await countFrames(capped(10), "testsrc2=size=320x240:rate=30"), 40);
  assert.equal(await countFrames(capped(30), "testsrc2=size=320x240:rate=15"), 60);
  assert.equal(await countFrames(capped(10), "testsrc2=size=320x240:rate=25"), 40);
});

Deno.test("ffmpegArgs() scales in real ffmpeg keeping the aspect ratio and never upscaling", async () => {
  const size = async (width: number) => {
    const args = ffmpegArgs({ kind: "url", url: "unused" }, { os: "linux", width, quality: 50 });
    const output = args.slice(args.indexOf("-an"));
    const result = await new Deno.Command("ffmpeg", {
      args: [
        ...HEAD,
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=640x360:rate=5",
        "-frames:v",
        "1",
        ...output,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(result.stderr), "");
    const sof = result.stdout.findIndex((byte, i, all) => byte === 0xff && all[i + 1] === 0xc0);
    const view = new DataView(result.stdout.buffer, result.stdout.byteOffset + sof);
    return [view.getUint16(7), view.getUint16(5)];
  };
  assert.deepEqual(await size(320), [320, 180]);
  assert.deepEqual(await size(1280), [640, 360]);
});

/** The overlay's drawtext filter, as the sender builds it. */
const OVERLAY = drawtextFilter({
  parts: parseOverlayText("{host} {time}"),
  position: "bottom-left",
  host: "cam",
  font: drawtextFont(),
});

Deno.test("ffmpegArgs() draws an overlay on every camera, file and stream, after any scaling", () => {
  const cases: Array<[SourceSpec, typeof Deno.build.os, string[]]> = [
    [{ kind: "camera" }, "linux", ["-f", "v4l2", "-i", "/dev/video0"]],
    [{ kind: "camera", device: "Cam" }, "windows", ["-f", "dshow", "-i", "video=Cam"]],
    [{ kind: "camera" }, "darwin", ["-f", "avfoundation", "-framerate", "30", "-i", "0:none"]],
    [{ kind: "file", path: "a.mp4" }, "linux", ["-re", "-i", "a.mp4"]],
    [{ kind: "url", url: "rtsp://cam/live" }, "linux", ["-i", "rtsp://cam/live"]],
  ];
  for (const [spec, os, input] of cases) {
    const args = ffmpegArgs(spec, { os, quality: 80, overlay: OVERLAY });
    const expected = [...HEAD, ...input, ...MJPEG_80];
    expected.splice(expected.indexOf("-pix_fmt"), 0, "-vf", OVERLAY);
    assert.deepEqual(args, expected, `${spec.kind} on ${os}`);
    const scaled = ffmpegArgs(spec, { os, quality: 80, width: 640, fps: 10, overlay: OVERLAY });
    const filters = scaled[scaled.indexOf("-vf") + 1];
    assert.ok(filters.startsWith("select='"), filters);
    assert.ok(filters.endsWith(`,scale='min(iw,640)':-2,${OVERLAY}`), filters);
  }
});

Deno.test("ffmpegArgs() rejects an overlay with copy, which does not decode frames", () => {
  assert.throws(
    () =>
      ffmpegArgs({ kind: "camera" }, { os: "linux", quality: 80, copy: true, overlay: OVERLAY }),
    { name: "TypeError", message: /cannot draw an overlay/ },
  );
});

Deno.test("ffmpegArgs() with an overlay runs in real ffmpeg on a lavfi source and draws in its corner", async () => {
  const args = ffmpegArgs({ kind: "url", url: "unused" }, {
    os: "linux",
    width: 320,
    fps: 10,
    quality: 90,
    overlay: OVERLAY,
  });
  const output = args.slice(args.indexOf("-an"));
  const { code, stdout, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...HEAD,
      ...["-f", "lavfi", "-i", "color=c=blue:size=640x360:rate=30", "-t", "1", ...output],
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const frames = await Array.fromAsync(
    ReadableStream.from([stdout]).pipeThrough(new JpegSplitter()),
  );
  assert.equal(frames.length, 10, "capped at 10 fps");
  const image = await Image.decode(frames.at(-1)!);
  assert.deepEqual([image.width, image.height], [320, 180]);
  const notBlue = (x0: number, y0: number) => {
    let count = 0;
    for (let y = y0; y < y0 + 45; y++) {
      for (let x = x0; x < x0 + 160; x++) {
        const [r, g, b] = image.getRGBAAt(x + 1, y + 1);
        if (b < 180 || r > 80 || g > 80) count++;
      }
    }
    return count;
  };
  assert.ok(notBlue(0, 135) > 500, "the bottom-left corner has the overlay");
  assert.equal(notBlue(160, 0), 0, "the top-right corner is untouched");
});

Deno.test("ffmpegArgs() asks for the standard Huffman tables for RTP/JPEG, and never with --copy", () => {
  const file: SourceSpec = { kind: "file", path: "a.avi" };
  const rtp = ffmpegArgs(file, { os: "linux", quality: 80, standardHuffman: true });
  const at = rtp.indexOf("-huffman");
  assert.deepEqual(rtp.slice(at - 2, at + 2), ["-q:v", "8", "-huffman", "default"]);
  assert.ok(!ffmpegArgs(file, { os: "linux", quality: 80 }).includes("-huffman"));
  assert.ok(
    !ffmpegArgs(file, { os: "linux", quality: 80, copy: true, standardHuffman: true }).includes(
      "-huffman",
    ),
  );
});
