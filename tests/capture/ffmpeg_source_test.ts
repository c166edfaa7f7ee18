import assert from "node:assert/strict";
import type { Frame } from "../../lib/hub/frame.ts";
import type { SourceEvent } from "../../lib/capture/frame_source.ts";
import { FfmpegNotFoundError } from "../../lib/ffmpeg/ffmpeg_not_found_error.ts";
import { FfmpegSource, type FfmpegSourceOptions } from "../../lib/capture/ffmpeg_source.ts";
import { jpegDimensions } from "../../lib/image/jpeg_dimensions.ts";
import { SourceError } from "../../lib/ffmpeg/source_error.ts";

const CAMERA = { kind: "camera" } as const;

/**
 * ffmpeg arguments for its test pattern at real-time speed, with a token in the command line
 * that finds the process in /proc.
 */
function lavfiArgs(token: string, options: { seconds?: number; rate?: number } = {}): string[] {
  const { seconds, rate = 30 } = options;
  return [
    ...["-hide_banner", "-loglevel", "error", "-nostdin", "-nostats"],
    ...["-re", "-f", "lavfi", "-i", `testsrc2=size=320x240:rate=${rate}`],
    ...(seconds === undefined ? [] : ["-t", String(seconds)]),
    ...["-an", "-c:v", "mjpeg", "-q:v", "5", "-metadata", `comment=${token}`],
    ...["-fps_mode", "passthrough", "-f", "mjpeg", "-flush_packets", "1", "pipe:1"],
  ];
}

/** Ids of the running processes whose command line holds `token`. */
async function processesWith(token: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (cmdline.includes(token)) pids.push(Number(entry.name));
    } catch {
      // The process has gone meanwhile.
    }
  }
  return pids;
}

function source(options: Partial<FfmpegSourceOptions> & { args: string[] }): FfmpegSource {
  return new FfmpegSource({ ffmpeg: "ffmpeg", spec: CAMERA, ...options });
}

/** A stand-in ffmpeg: a shell script. */
async function script(dir: string, body: string): Promise<string> {
  const path = `${dir}/ffmpeg-${crypto.randomUUID()}`;
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

/** Three JPEGs from ffmpeg in a file, for stand-in ffmpegs to print. */
async function jpegFile(dir: string): Promise<string> {
  const path = `${dir}/frames.mjpeg`;
  const { code, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-nostdin"],
      ...["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-frames:v", "3"],
      ...["-c:v", "mjpeg", "-f", "mjpeg", path],
    ],
    stdin: "null",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return path;
}

Deno.test("FfmpegSource yields ffmpeg's frames with increasing capture times", async () => {
  const token = crypto.randomUUID();
  const events: SourceEvent[] = [];
  const frames = source({ args: lavfiArgs(token), onEvent: (event) => events.push(event) });
  const got: Frame[] = [];
  try {
    for await (const frame of frames.frames()) {
      got.push(frame);
      if (got.length === 10) break;
    }
  } finally {
    await frames.close();
  }
  assert.equal(got.length, 10);
  for (const [i, frame] of got.entries()) {
    assert.deepEqual(jpegDimensions(frame.data), { width: 320, height: 240 });
    assert.ok(Math.abs(frame.captureTime - Date.now()) < 5000);
    if (i > 0) assert.ok(frame.captureTime > got[i - 1].captureTime);
  }
  // -re: ten frames at 30 fps take about 300 ms.
  assert.ok(got[9].captureTime - got[0].captureTime > 200);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, "source_started");
  assert.match((events[0] as { detail: string }).detail, /^ffmpeg pid \d+, 320x240$/);
  assert.equal(events[0].source, "camera");
  assert.deepEqual(await processesWith(token), []);
});

Deno.test("FfmpegSource.close() stops ffmpeg and ends the frames of a waiting reader", async () => {
  const token = crypto.randomUUID();
  const frames = source({ args: lavfiArgs(token, { rate: 2 }) });
  let count = 0;
  const reading = (async () => {
    for await (const _ of frames.frames()) count++;
  })();
  while (count === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal((await processesWith(token)).length, 1);
  const started = performance.now();
  await frames.close();
  await reading;
  assert.ok(performance.now() - started < 5000, "close() does not hang");
  assert.deepEqual(await processesWith(token), []);
  await frames.close(); // twice is fine
});

Deno.test("FfmpegSource.close() before reading starts no ffmpeg", async () => {
  const frames = source({ args: lavfiArgs(crypto.randomUUID()) });
  await frames.close();
  assert.deepEqual(await Array.fromAsync(frames.frames()), []);
});

Deno.test("FfmpegSource.frames() can be read only once", () => {
  const frames = source({ args: [] });
  frames.frames();
  assert.throws(() => frames.frames(), { name: "TypeError" });
});

Deno.test("FfmpegSource throws FfmpegNotFoundError for a missing ffmpeg", async () => {
  const frames = source({ ffmpeg: "/nonexistent/ffmpeg", args: lavfiArgs("x") });
  await assert.rejects(Array.fromAsync(frames.frames()), (error) => {
    assert.ok(error instanceof FfmpegNotFoundError);
    assert.equal(error.path, "/nonexistent/ffmpeg");
    assert.match(
      error.message,
      /^ffmpeg not found at "\/nonexistent\/ffmpeg": correct that path \(--ffmpeg or FFMPEG\), or install ffmpeg with .+ and leave both out$/,
    );
    return true;
  });
  await frames.close();
});

Deno.test("FfmpegSource throws SourceError with ffmpeg's error when it fails at once", async () => {
  const events: SourceEvent[] = [];
  const frames = source({
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-nostdin",
      "-i",
      "/nonexistent/clip.mp4",
      "-f",
      "mjpeg",
      "pipe:1",
    ],
    onEvent: (event) => events.push(event),
  });
  await assert.rejects(Array.fromAsync(frames.frames()), {
    name: "SourceError",
    // ffmpeg 5 and 6 say "/nonexistent/clip.mp4: No such file or directory".
    message: /^ffmpeg exited with code 1 before the first frame: .*No such file or directory$/,
  });
  assert.deepEqual(events, []);
  await frames.close();
});

Deno.test("FfmpegSource restarts ffmpeg with growing pauses after it exits", async () => {
  const token = crypto.randomUUID();
  const events: SourceEvent[] = [];
  const frames = source({
    args: lavfiArgs(token, { seconds: 0.2 }),
    backoffMs: [20, 40],
    onEvent: (event) => events.push(event),
  });
  let afterRestart = 0;
  for await (const _ of frames.frames()) {
    const restarts = events.filter((event) => event.type === "source_restarting").length;
    if (restarts === 3 && ++afterRestart === 2) break;
  }
  await frames.close();
  const types = events.map((event) => event.type);
  assert.deepEqual(types, [
    ...["source_started", "source_failed", "source_restarting"],
    ...["source_started", "source_failed", "source_restarting"],
    ...["source_started", "source_failed", "source_restarting"],
    "source_started",
  ]);
  const restarting = events.filter((event) => event.type === "source_restarting");
  assert.deepEqual(
    restarting.map(({ attempt, delayMs }) => ({ attempt, delayMs })),
    [{ attempt: 1, delayMs: 20 }, { attempt: 2, delayMs: 40 }, { attempt: 3, delayMs: 40 }],
  );
  assert.deepEqual(events[1], {
    type: "source_failed",
    source: "camera",
    error: "ffmpeg exited with code 0",
  });
  assert.deepEqual(await processesWith(token), []);
});

Deno.test("FfmpegSource starts the pauses over after a run of more than 10 s", async () => {
  const events: SourceEvent[] = [];
  let clock = 0;
  const frames = source({
    args: lavfiArgs(crypto.randomUUID(), { seconds: 0.2 }),
    backoffMs: [10, 1000],
    onEvent: (event) => events.push(event),
    now: () => (clock += 6000), // each frame 6 s after the last
  });
  for await (const _ of frames.frames()) {
    if (events.filter((event) => event.type === "source_restarting").length === 2) break;
  }
  await frames.close();
  const delays = events.flatMap((event) =>
    event.type === "source_restarting" ? [event.delayMs] : []
  );
  assert.deepEqual(delays, [10, 10]);
});

Deno.test("FfmpegSource ends without retry when a file ends", async () => {
  const events: SourceEvent[] = [];
  const frames = new FfmpegSource({
    ffmpeg: "ffmpeg",
    spec: { kind: "file", path: "clip.mp4" },
    args: lavfiArgs(crypto.randomUUID(), { seconds: 0.2 }),
    onEvent: (event) => events.push(event),
  });
  const got = await Array.fromAsync(frames.frames());
  await frames.close();
  assert.ok(got.length >= 5 && got.length <= 7, `${got.length} frames`);
  assert.deepEqual(events.map((event) => event.type), ["source_started", "source_ended"]);
  assert.equal(events[1].source, "clip.mp4");
});

Deno.test("FfmpegSource reports ffmpeg's last error line when it fails after frames", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const frames = await jpegFile(dir);
    const ffmpeg = await script(
      dir,
      [
        `cat "${frames}"`,
        'echo "[mjpeg @ 0x55d0c8a1b2c0] error in decode_frame" >&2',
        'echo "[v4l2 @ 0x55d0c8a1b2c0] ioctl(VIDIOC_DQBUF): No such device" >&2',
        'echo "Conversion failed!" >&2',
        "exit 1",
      ].join("\n"),
    );
    const events: SourceEvent[] = [];
    const source = new FfmpegSource({
      ffmpeg,
      spec: CAMERA,
      args: [],
      retry: false,
      onEvent: (event) => events.push(event),
    });
    assert.equal((await Array.fromAsync(source.frames())).length, 3);
    await source.close();
    assert.deepEqual(events.slice(1), [
      {
        type: "source_failed",
        source: "camera",
        error: "ffmpeg exited with code 1: v4l2: ioctl(VIDIOC_DQBUF): No such device",
      },
      { type: "source_ended", source: "camera" },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FfmpegSource kills an ffmpeg that ignores SIGTERM", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const frames = await jpegFile(dir);
    const ffmpeg = await script(dir, `trap '' TERM\ncat "${frames}"\nwhile :; do sleep 0.1; done`);
    const token = ffmpeg.slice(ffmpeg.lastIndexOf("/") + 1); // in the shell's command line
    const source = new FfmpegSource({ ffmpeg, spec: CAMERA, args: [] });
    let count = 0;
    const started = performance.now();
    for await (const _ of source.frames()) {
      if (++count === 3) break;
    }
    const elapsed = performance.now() - started;
    await source.close();
    assert.ok(elapsed >= 1900 && elapsed < 4000, `${elapsed} ms`);
    assert.deepEqual(await processesWith(token), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FfmpegSource.close() ends a pause before a restart at once", async () => {
  const events: SourceEvent[] = [];
  let restarting!: () => void;
  const paused = new Promise<void>((resolve) => restarting = resolve);
  const frames = source({
    args: lavfiArgs(crypto.randomUUID(), { seconds: 0.1 }),
    backoffMs: [60_000],
    onEvent: (event) => {
      events.push(event);
      if (event.type === "source_restarting") restarting();
    },
  });
  const reading = Array.fromAsync(frames.frames());
  await paused;
  const started = performance.now();
  await frames.close();
  await reading;
  assert.ok(performance.now() - started < 10_000, "well before the 60 s backoff");
  assert.equal(events.at(-1)?.type, "source_restarting");
});

Deno.test("FfmpegSource throws SourceError when ffmpeg cannot be run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ffmpeg = `${dir}/ffmpeg`;
    await Deno.writeTextFile(ffmpeg, "not a program");
    await Deno.chmod(ffmpeg, 0o644);
    const frames = new FfmpegSource({ ffmpeg, spec: CAMERA, args: [] });
    await assert.rejects(Array.fromAsync(frames.frames()), (error) => {
      assert.ok(error instanceof SourceError);
      assert.match(error.message, /^Cannot run ffmpeg at ".*": /);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
