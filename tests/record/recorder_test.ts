import assert from "node:assert/strict";
import { resolve } from "node:path";
import { formatDuration, parseDuration } from "../../lib/cli/duration.ts";
import { FfmpegNotFoundError } from "../../lib/ffmpeg/ffmpeg_not_found_error.ts";
import type { ReceivedFrame } from "../../lib/hub/frame.ts";
import { LatestValue } from "../../lib/hub/latest_value.ts";
import { matroskaCluster, matroskaHeader } from "../../lib/record/matroska.ts";
import {
  RECORD_CONTAINERS,
  recordArgs,
  recordContainer,
  SEGMENT_SPAN_MS,
  segmentPattern,
  timestampedPath,
} from "../../lib/record/record_args.ts";
import { RecordTimeline } from "../../lib/record/record_timeline.ts";
import { Recorder } from "../../lib/record/recorder.ts";
import type { RecorderEvent } from "../../lib/record/recorder_event.ts";
import { SegmentClock } from "../../lib/record/segment_clock.ts";
import { clipFrames, digest, withClip } from "../_media.ts";
import { alive } from "../_proc.ts";

const decoder = new TextDecoder();
const CLIP = { width: 320, height: 240, fps: 10, seconds: 2, noise: 0, qscale: 5 };

/** What ffprobe reads in a file's video stream. */
async function probe(path: string): Promise<{ frames: number; codec: string }> {
  const { code, stdout, stderr } = await new Deno.Command("ffprobe", {
    args: [
      ...["-v", "error", "-count_frames", "-select_streams", "v:0"],
      ...["-show_entries", "stream=nb_read_frames,codec_name", "-of", "json", path],
    ],
  }).output();
  assert.equal(code, 0, decoder.decode(stderr));
  const [stream] = JSON.parse(decoder.decode(stdout)).streams;
  return { frames: Number(stream.nb_read_frames), codec: stream.codec_name };
}

/** The presentation times of a file's video packets, in seconds. */
async function packetTimes(path: string): Promise<number[]> {
  const { stdout } = await new Deno.Command("ffprobe", {
    args: [
      ...["-v", "error", "-select_streams", "v:0"],
      ...["-show_entries", "packet=pts_time", "-of", "json", path],
    ],
  }).output();
  return JSON.parse(decoder.decode(stdout)).packets.map((p: { pts_time: string }) =>
    Number(p.pts_time)
  );
}

/** The first JPEG in a file, copied out as it is stored. */
async function firstJpeg(path: string): Promise<Uint8Array<ArrayBuffer>> {
  const { stdout } = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-i", path, "-c", "copy", "-frames:v", "1", "-f", "mjpeg", "-"],
  }).output();
  return stdout;
}

/** A received frame `i`, captured every `intervalMs`, arriving with up to 40 ms of jitter. */
function received(data: Uint8Array, i: number, t0: number, intervalMs = 100): ReceivedFrame {
  const captureTime = t0 + i * intervalMs;
  return {
    data: data.slice(),
    captureTime,
    localCaptureTime: captureTime,
    receivedAt: captureTime + 5 + Math.random() * 40,
    width: 320,
    height: 240,
    frame: i,
  };
}

/** Publishes each frame once the recorder has written the one before: none is skipped. */
async function feedOneByOne(
  frames: LatestValue<ReceivedFrame>,
  recorder: Recorder,
  data: Uint8Array[],
): Promise<void> {
  const t0 = Date.now();
  for (const [i, jpeg] of data.entries()) {
    const before = recorder.stats.framesWritten;
    frames.publish(received(jpeg, i, t0));
    await until(() => recorder.stats.framesWritten > before, `frame ${i} written`);
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-record-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name).sort();
}

/** The processes this test process started, by name. */
async function children(name: string): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => "");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === Deno.pid && comm === name && await alive(Number(entry.name))) {
      found.push(Number(entry.name));
    }
  }
  return found;
}

/** A process's session id, from /proc. */
async function sessionOf(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  // After "pid (comm) ": state ppid pgrp session ...
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
}

Deno.test("parseDuration() reads plain seconds, units, and units in a row", () => {
  const cases: Array<[string, number]> = [
    ["90", 90],
    ["1", 1],
    ["0.5", 0.5],
    ["30s", 30],
    ["10m", 600],
    ["1h", 3600],
    ["24h", 86_400],
    ["1h30m", 5400],
    ["2m30s", 150],
    ["1h0m5s", 3605],
    ["1.5h", 5400],
  ];
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
});

Deno.test("parseDuration() rejects what is not a duration", () => {
  for (const text of ["", "s", "10x", "-5", "1h 30m", "1m1h", "1h30", "30S", "1e3", " 10m"]) {
    assert.throws(() => parseDuration(text), TypeError, JSON.stringify(text));
  }
});

Deno.test("formatDuration() writes what parseDuration() reads back", () => {
  const cases: Array<[number, string]> = [
    [0, "0s"],
    [1, "1s"],
    [45, "45s"],
    [600, "10m"],
    [5400, "1h30m"],
    [86_400, "24h"],
    [3661, "1h1m1s"],
    [1.5, "1.5s"],
  ];
  for (const [seconds, text] of cases) {
    assert.equal(formatDuration(seconds), text);
    assert.equal(parseDuration(text), seconds);
  }
  assert.throws(() => formatDuration(-1), RangeError);
});

Deno.test("recordContainer() picks the container from the extension, in any case", () => {
  const cases: Array<[string, string | undefined]> = [
    ["cam.mkv", "mkv"],
    ["CAM.MKV", "mkv"],
    ["dir.d/clip.avi", "avi"],
    ["/tmp/x.y.mjpeg", "mjpeg"],
    ["cam.mp4", undefined],
    ["cam.mjpg", undefined],
    ["mkv", undefined],
    ["dir.mkv/cam", undefined],
    ["cam.", undefined],
  ];
  for (const [path, container] of cases) assert.equal(recordContainer(path), container, path);
});

/** The value after `flag` in `args`. */
function flagValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

Deno.test("recordArgs() copies timestamped Matroska from stdin into the container named", () => {
  const muxers = { mkv: "matroska", avi: "avi", mjpeg: "mjpeg" };
  for (const container of RECORD_CONTAINERS) {
    const path = `out/cam.${container}`;
    const args = recordArgs(path);
    assert.equal(args.at(-1), `file:${resolve(path)}`, "writes the file itself");
    assert.deepEqual(args.slice(-3, -1), ["-f", muxers[container]]);
    assert.equal(flagValue(args, "-i"), "pipe:0");
    assert.equal(flagValue(args, "-f"), "matroska", "reads Matroska");
    assert.ok(args.indexOf("-f") < args.indexOf("-i"), "-f matroska is an input option");
    assert.equal(flagValue(args, "-c"), "copy", "never encodes again");
    assert.equal(flagValue(args, "-fps_mode"), "passthrough");
    assert.equal(flagValue(args, "-flush_packets"), "1");
    assert.ok(args.includes("-n") && !args.includes("-y"), "never overwrites a file");
    assert.ok(!args.includes("-segment_time"));
  }
  assert.equal(flagValue(recordArgs("a.avi"), "-r"), "100", "AVI on a 10 ms grid");
  assert.equal(flagValue(recordArgs("a.mkv"), "-cluster_time_limit"), "1000");
  assert.throws(() => recordArgs("cam.mp4"), RangeError);
});

Deno.test("recordArgs() with segments lets ffmpeg cut only where the timestamps jump a span", () => {
  const args = recordArgs("rec/cam.mkv", { segments: true });
  assert.equal(args.at(-1), `file:${resolve("rec/cam-%Y%m%d-%H%M%S.mkv")}`);
  assert.equal(flagValue(args, "-f"), "matroska", "input");
  assert.equal(args[args.lastIndexOf("-f") + 1], "segment");
  assert.equal(flagValue(args, "-segment_format"), "matroska");
  assert.equal(Number(flagValue(args, "-segment_time")) * 1000, SEGMENT_SPAN_MS);
  assert.ok(SEGMENT_SPAN_MS > 24 * 3600 * 1000, "longer than the longest segment");
  assert.ok(!args.includes("-segment_atclocktime"));
  assert.equal(flagValue(args, "-strftime"), "1");
  assert.equal(flagValue(args, "-reset_timestamps"), "1");
  assert.equal(flagValue(args, "-c"), "copy");
  assert.equal(
    flagValue(args, "-segment_format_options"),
    "flush_packets=1:cluster_time_limit=1000",
  );
  assert.ok(args.includes("-n") && !args.includes("-y"));
  assert.equal(flagValue(recordArgs("a.avi", { segments: true }), "-segment_format"), "avi");
  assert.equal(flagValue(recordArgs("a.avi", { segments: true }), "-r"), "100");
});

Deno.test("recordArgs() names its output as file: and an absolute path, never to be overwritten", () => {
  // Names ffmpeg would otherwise read as its protocols: stdout, a web server, a list of inputs.
  const names = ["pipe:1.mkv", "http://127.0.0.1:9/x.mkv", "concat:a.mkv|b.mkv", "rec/cam.mkv"];
  for (const name of names) {
    const args = recordArgs(name);
    assert.equal(args.at(-1), `file:${resolve(name)}`);
    assert.ok(args.includes("-n") && !args.includes("-y"), "never overwrites a file");
    const segments = recordArgs(name, { segments: true });
    assert.equal(segments.at(-1), `file:${segmentPattern(resolve(name))}`);
  }
});

Deno.test("SegmentClock cuts once a period on the local clock, a guard after the multiple", () => {
  const at = (h: number, m: number, s: number, ms: number) =>
    new Date(2026, 10, 24, h, m, s, ms).getTime();
  const clock = new SegmentClock({ segmentSeconds: 600, guardMs: 50 });
  const cases: Array<[number, boolean, string]> = [
    [at(15, 27, 12, 0), false, "the first frame starts the first segment"],
    [at(15, 29, 59, 990), false, "before 15:30"],
    [at(15, 30, 0, 20), false, "inside the guard"],
    [at(15, 30, 0, 60), true, "15:30:00.06: a new segment"],
    [at(15, 35, 0, 0), false, "mid-period"],
    [at(16, 12, 0, 0), true, "after a gap of several periods: one cut"],
    [at(16, 12, 0, 100), false, "and only one"],
    [at(16, 10, 0, 100), false, "clock back within the period"],
    [at(16, 9, 0, 0), true, "clock back into the period before"],
  ];
  for (const [now, cuts, why] of cases) assert.equal(clock.cuts(now), cuts, why);
  assert.throws(() => new SegmentClock({ segmentSeconds: 0.5 }), RangeError);
});

Deno.test("segmentPattern() and timestampedPath() put the local time before the extension", () => {
  const date = new Date(2026, 10, 24, 15, 30, 0);
  const cases: Array<[string, string, string]> = [
    ["cam.mkv", "cam-%Y%m%d-%H%M%S.mkv", "cam-20261124-153000.mkv"],
    ["rec.d/cam.avi", "rec.d/cam-%Y%m%d-%H%M%S.avi", "rec.d/cam-20261124-153000.avi"],
    ["100%.mjpeg", "100%%-%Y%m%d-%H%M%S.mjpeg", "100%-20261124-153000.mjpeg"],
  ];
  for (const [path, pattern, named] of cases) {
    assert.equal(segmentPattern(path), pattern);
    assert.equal(timestampedPath(path, date), named);
  }
  assert.equal(
    timestampedPath("cam.mkv", new Date(2027, 0, 2, 3, 4, 5), 2),
    "cam-20270102-030405-2.mkv",
  );
});

Deno.test("RecordTimeline follows capture times, and arrival times where the sender's clock strays", () => {
  const timeline = new RecordTimeline({ maxSkewMs: 2000 });
  const cases: Array<[{ captureTime: number; receivedAt: number }, number, string]> = [
    [{ captureTime: 1000, receivedAt: 5000 }, 0, "the first frame is at 0"],
    [{ captureTime: 1100, receivedAt: 5180 }, 100, "capture step, not the jittered arrival"],
    [{ captureTime: 1200, receivedAt: 5190 }, 200, "arrivals bunched up: still 100 ms"],
    [{ captureTime: 1500, receivedAt: 5500 }, 500, "a skipped frame leaves its gap"],
    [{ captureTime: 900, receivedAt: 5600 }, 600, "capture clock went back: arrival step"],
    [{ captureTime: 900, receivedAt: 5600 }, 601, "same times: one ms later"],
    [{ captureTime: 60_000, receivedAt: 5700 }, 700, "capture clock leapt: arrival step"],
    [{ captureTime: 60_100, receivedAt: 5800.4 }, 800, "back on the capture clock"],
    [{ captureTime: 60_100.2, receivedAt: 5800.6 }, 801, "a step under 1 ms still moves on"],
    [{ captureTime: 60_200.2, receivedAt: 5900.6 }, 900, "no drift from that"],
  ];
  for (const [times, stamp, why] of cases) assert.equal(timeline.stamp(times), stamp, why);
});

Deno.test("matroskaCluster() lays one keyframe SimpleBlock in a cluster", () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
  assert.deepEqual(
    matroskaCluster(0x1234, jpeg),
    new Uint8Array([
      ...[0x1f, 0x43, 0xb6, 0x75], // Cluster ID
      ...[0x01, 0, 0, 0, 0, 0, 0, 28], // size: the 11 + 9 + 8 bytes below
      ...[0xe7, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x12, 0x34], // Timestamp 0x1234 ms
      ...[0xa3, 0x01, 0, 0, 0, 0, 0, 0, 8], // SimpleBlock ID and size: 4 + 4 JPEG bytes
      0x81, // track 1
      ...[0x00, 0x00], // timestamp relative to the cluster: 0
      0x80, // flags: keyframe
      ...jpeg,
    ]),
  );
  assert.throws(() => matroskaCluster(-1, jpeg), RangeError);
  assert.throws(() => matroskaCluster(1.5, jpeg), RangeError);
});

Deno.test("a stream of matroskaHeader() and matroskaCluster() is read by ffprobe at its timestamps", async () => {
  await withClip(CLIP, async (clip) => {
    const jpegs = (await clipFrames(clip)).slice(0, 5);
    const path = `${clip}.mkv`;
    const stamps = [0, 100, 250, 300, 1000];
    const clusters = jpegs.map((jpeg, i) => matroskaCluster(stamps[i], jpeg));
    await Deno.writeFile(
      path,
      new Uint8Array(
        [matroskaHeader({ width: 320, height: 240 }), ...clusters].flatMap((part) => [...part]),
      ),
    );
    assert.deepEqual(await probe(path), { frames: 5, codec: "mjpeg" });
    assert.deepEqual(await packetTimes(path), stamps.map((ms) => ms / 1000));
    assert.equal(await digest(await firstJpeg(path)), await digest(jpegs[0].slice()));
  });
});

Deno.test("Recorder.start() refuses to overwrite a file, and leaves it as it was", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/cam.mkv`;
    await Deno.writeTextFile(path, "precious");
    const recorder = new Recorder({ frames: new LatestValue(), path });
    await assert.rejects(recorder.start(), (error: Error) => {
      assert.equal(
        error.message,
        `${path} already exists: recording never overwrites a file; give another name, or move it away`,
      );
      return true;
    });
    await recorder.close();
    assert.equal(await Deno.readTextFile(path), "precious");
    assert.deepEqual(await children("ffmpeg"), [], "no ffmpeg started");

    // With segments, the name the first file would get now.
    const now = new Date(2026, 10, 24, 15, 30, 0);
    await Deno.writeTextFile(timestampedPath(path, now), "precious too");
    const segments = new Recorder({
      frames: new LatestValue(),
      path,
      segmentSeconds: 60,
      now: () => now,
    });
    await assert.rejects(segments.start(), /cam-20261124-153000\.mkv already exists/);
    assert.equal(await Deno.readTextFile(timestampedPath(path, now)), "precious too");
  });
});

Deno.test("Recorder.start() says so when the folder does not exist or ffmpeg is missing", async () => {
  await withDir(async (dir) => {
    const missingDir = new Recorder({ frames: new LatestValue(), path: `${dir}/no/cam.mkv` });
    await assert.rejects(missingDir.start(), /its folder .*\/no does not exist/);

    const path = `${dir}/cam.mkv`;
    const recorder = new Recorder({ frames: new LatestValue(), path, ffmpeg: `${dir}/ffmpeg` });
    await assert.rejects(recorder.start(), FfmpegNotFoundError);
    assert.deepEqual(await listDir(dir), [], "the claimed name is given back");
  });
});

for (const container of RECORD_CONTAINERS) {
  Deno.test(`Recorder writes every frame fed to a .${container} file, byte for byte`, async () => {
    await withClip(CLIP, async (clip) => {
      const jpegs = await clipFrames(clip);
      const path = `${clip}.${container}`;
      const frames = new LatestValue<ReceivedFrame>();
      const events: RecorderEvent[] = [];
      const recorder = new Recorder({ frames, path, onEvent: (event) => events.push(event) });
      await recorder.start();
      try {
        await feedOneByOne(frames, recorder, jpegs);
      } finally {
        await recorder.close();
      }
      const stats = recorder.stats;
      assert.equal(stats.framesWritten, jpegs.length);
      assert.equal(stats.framesSkipped, 0);
      assert.equal(stats.bytesWritten, jpegs.reduce((sum, jpeg) => sum + jpeg.length, 0));
      assert.equal(stats.state, "stopped");
      assert.equal(stats.file, path);
      assert.deepEqual(events, [{ type: "record_file", path }]);
      assert.deepEqual(await probe(path), { frames: jpegs.length, codec: "mjpeg" });
      assert.equal(await digest(await firstJpeg(path)), await digest(jpegs[0].slice()));
      if (container !== "mjpeg") {
        // Captured every 100 ms, fed as fast as ffmpeg took them, with jittered arrivals.
        const times = await packetTimes(path);
        assert.deepEqual(times, jpegs.map((_, i) => Math.round(i * 100) / 1000));
      }
    });
  });
}

Deno.test("Recorder records to names like pipe:1.mkv and http://... as files, never through ffmpeg's protocols", async () => {
  await withClip(CLIP, async (clip) => {
    const jpegs = (await clipFrames(clip)).slice(0, 5);
    await withDir(async (dir) => {
      // A web server where http://127.0.0.1:PORT/x.mkv would send the recording.
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      let connections = 0;
      const accepting = (async () => {
        for await (const conn of listener) {
          connections++;
          conn.close();
        }
      })();
      const names = ["pipe:1.mkv", `http://127.0.0.1:${listener.addr.port}/x.mkv`];
      await Deno.mkdir(`${dir}/http:/127.0.0.1:${listener.addr.port}`, { recursive: true });
      const cwd = Deno.cwd();
      Deno.chdir(dir);
      try {
        for (const name of names) {
          const frames = new LatestValue<ReceivedFrame>();
          const recorder = new Recorder({ frames, path: name, backoffMs: [0], maxFailures: 1 });
          await recorder.start();
          try {
            await feedOneByOne(frames, recorder, jpegs);
          } finally {
            await recorder.close();
          }
          assert.equal(recorder.stats.failures, 0, name);
          assert.deepEqual(await probe(`${dir}/${name}`), { frames: 5, codec: "mjpeg" }, name);
        }
      } finally {
        Deno.chdir(cwd);
        listener.close();
        await accepting;
      }
      assert.equal(connections, 0, "ffmpeg connected to the web server");
      assert.deepEqual(await listDir(dir), ["http:", "pipe:1.mkv"], "nothing left beside them");
    });
  });
});

Deno.test("Recorder writes the very file it claimed: a link put in its place is replaced, not followed", async () => {
  await withClip(CLIP, async (clip) => {
    const jpegs = (await clipFrames(clip)).slice(0, 5);
    await withDir(async (dir) => {
      const path = `${dir}/cam.mkv`;
      const victim = `${dir}/victim.txt`;
      await Deno.writeTextFile(victim, "precious");
      const frames = new LatestValue<ReceivedFrame>();
      const recorder = new Recorder({ frames, path, backoffMs: [0], maxFailures: 1 });
      await recorder.start();
      try {
        // Someone who may write in the folder swaps the claimed file for a link.
        await Deno.remove(path);
        await Deno.symlink(victim, path);
        await feedOneByOne(frames, recorder, jpegs);
      } finally {
        await recorder.close();
      }
      const left = await Deno.readFile(victim);
      assert.ok(
        new TextDecoder().decode(left) === "precious",
        `the file the link named now holds ${left.length} bytes`,
      );
      assert.ok((await Deno.lstat(path)).isFile, "the recording, not a link, under its name");
      assert.deepEqual(await probe(path), { frames: 5, codec: "mjpeg" });
      assert.deepEqual(await listDir(dir), ["cam.mkv", "victim.txt"]);
    });
  });
});

Deno.test("Recorder with segments has ffmpeg create files only in its own folder, each moved to its name", async () => {
  await withClip(CLIP, async (clip) => {
    const jpegs = await clipFrames(clip);
    await withDir(async (dir) => {
      // An ffmpeg that notes its arguments.
      const ffmpeg = `${dir}/noting-ffmpeg`;
      await Deno.writeTextFile(ffmpeg, `#!/bin/sh\necho "$@" >> ${dir}/args\nexec ffmpeg "$@"\n`);
      await Deno.chmod(ffmpeg, 0o755);
      const out = `${dir}/out`;
      await Deno.mkdir(out);
      const frames = new LatestValue<ReceivedFrame>();
      const recorder = new Recorder({ frames, path: `${out}/cam.mkv`, segmentSeconds: 1, ffmpeg });
      await recorder.start();
      try {
        for (let i = 0; i < 22; i++) {
          frames.publish(received(jpegs[i % jpegs.length], i, Date.now(), 0));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await recorder.close();
      }
      const [, run] = (await Deno.readTextFile(`${dir}/args`)).trim().split("\n");
      assert.match(
        run.split(" ").at(-1)!,
        new RegExp(`^file:${out}/\\.udpcam-recording-\\w+/cam-%Y%m%d-%H%M%S\\.mkv$`),
      );
      const files = await listDir(out);
      assert.ok(files.length >= 2, `files: ${files}`);
      for (const file of files) assert.match(file, /^cam-\d{8}-\d{6}\.mkv$/, "no folder left");
      let total = 0;
      for (const file of files) total += (await probe(`${out}/${file}`)).frames;
      assert.equal(total, recorder.stats.framesWritten);
    });
  });
});

Deno.test("Recorder without its own folder (as on Windows) frees the claimed name for ffmpeg -n", async () => {
  await withClip(CLIP, async (clip) => {
    const jpegs = (await clipFrames(clip)).slice(0, 5);
    await withDir(async (dir) => {
      const path = `${dir}/cam.avi`;
      const frames = new LatestValue<ReceivedFrame>();
      const recorder = new Recorder({ frames, path, privateFolder: false });
      await recorder.start();
      try {
        await feedOneByOne(frames, recorder, jpegs);
      } finally {
        await recorder.close();
      }
      assert.equal(recorder.stats.failures, 0);
      assert.deepEqual(await probe(path), { frames: 5, codec: "mjpeg" });
      assert.deepEqual(await listDir(dir), ["cam.avi"]);
    });
  });
});

Deno.test("Recorder skips to the newest frame when frames come faster than ffmpeg takes them", async () => {
  await withClip(CLIP, async (clip) => {
    const jpegs = await clipFrames(clip);
    const path = `${clip}.mkv`;
    const frames = new LatestValue<ReceivedFrame>();
    const recorder = new Recorder({ frames, path });
    await recorder.start();
    const t0 = Date.now();
    let published = 0;
    try {
      // Bursts of frames with no wait between them, a few times over.
      for (let burst = 0; burst < 4; burst++) {
        for (const jpeg of jpegs) frames.publish(received(jpeg, published++, t0));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await until(
        () => recorder.stats.framesWritten + recorder.stats.framesSkipped === published,
        "all frames taken or skipped",
      );
    } finally {
      await recorder.close();
    }
    const { framesWritten, framesSkipped } = recorder.stats;
    assert.ok(framesSkipped > 0, "some skipped");
    assert.ok(framesWritten >= 4, `${framesWritten} written`);
    assert.equal(framesWritten + framesSkipped, published);
    assert.equal((await probe(path)).frames, framesWritten);
  });
});

Deno.test("Recorder with segments writes several files, named with the time, that hold every frame", async () => {
  await withClip(CLIP, async (clip) => {
    const jpegs = await clipFrames(clip);
    const dir = await Deno.makeTempDir({ dir: clip.slice(0, clip.lastIndexOf("/")) });
    const frames = new LatestValue<ReceivedFrame>();
    const events: RecorderEvent[] = [];
    const recorder = new Recorder({
      frames,
      path: `${dir}/cam.mkv`,
      segmentSeconds: 1,
      onEvent: (event) => events.push(event),
    });
    await recorder.start();
    const count = 32; // 3.2 s at 10 fps: at least three cuts on the clock
    const captures: number[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const frame = received(jpegs[i % jpegs.length], i, Date.now(), 0);
        captures.push(frame.captureTime);
        frames.publish(frame);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await until(() => recorder.stats.framesWritten === count, "all frames written");
    } finally {
      await recorder.close();
    }
    const files = await listDir(dir);
    assert.ok(files.length >= 3, `files: ${files}`);
    for (const file of files) assert.match(file, /^cam-\d{8}-\d{6}\.mkv$/);
    assert.deepEqual(
      events.map((event) => event.type === "record_file" ? event.path : event.type),
      files.map((file) => `${dir}/${file}`),
      "one record_file event a file",
    );
    let total = 0;
    for (const file of files) {
      const { frames: n, codec } = await probe(`${dir}/${file}`);
      assert.equal(codec, "mjpeg");
      assert.ok(n > 0);
      // Each file starts at 0 and steps as the frames were captured.
      const first = captures[total];
      assert.deepEqual(
        await packetTimes(`${dir}/${file}`),
        captures.slice(total, total + n).map((capture) => (capture - first) / 1000),
      );
      total += n;
    }
    assert.equal(total, count);
    assert.equal(recorder.stats.files, files.length);
    assert.equal(recorder.stats.file, `${dir}/${files.at(-1)}`);
  });
});

Deno.test("Recorder with segments never cuts before ffmpeg has opened the file it cuts from", async () => {
  // An ffmpeg slow to start, as on a busy machine: frames are fed, and the
  // clock passes a cut, before it has opened its first file. A cut then
  // would open a second file in the same second, under the same name.
  await withClip(CLIP, async (clip) => {
    const jpegs = await clipFrames(clip);
    const dir = await Deno.makeTempDir({ dir: clip.slice(0, clip.lastIndexOf("/")) });
    const slow = `${dir}/slow-ffmpeg`;
    await Deno.writeTextFile(slow, '#!/bin/sh\nsleep 1.3\nexec ffmpeg "$@"\n');
    await Deno.chmod(slow, 0o755);
    const out = `${dir}/out`;
    await Deno.mkdir(out);
    const frames = new LatestValue<ReceivedFrame>();
    const named: string[] = [];
    const recorder = new Recorder({
      frames,
      path: `${out}/cam.mkv`,
      segmentSeconds: 1,
      ffmpeg: slow,
      onEvent: (event) => {
        if (event.type === "record_file") named.push(event.path);
      },
    });
    await recorder.start();
    try {
      for (let i = 0; i < 30; i++) {
        frames.publish(received(jpegs[i % jpegs.length], i, Date.now(), 0));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await recorder.close();
    }
    const files = (await listDir(out)).map((file) => `${out}/${file}`);
    assert.deepEqual(named, files, "one record_file event a file, each named once");
    let total = 0;
    for (const file of files) total += (await probe(file)).frames;
    assert.equal(total, recorder.stats.framesWritten, "every frame written is in a file");
  });
});

Deno.test("Recorder goes on in a new file when ffmpeg dies, and leaves the first one readable", async () => {
  await withClip(CLIP, async (clip) => {
    const jpegs = await clipFrames(clip);
    const dir = await Deno.makeTempDir({ dir: clip.slice(0, clip.lastIndexOf("/")) });
    const path = `${dir}/cam.mkv`;
    const frames = new LatestValue<ReceivedFrame>();
    const events: RecorderEvent[] = [];
    const recorder = new Recorder({ frames, path, onEvent: (event) => events.push(event) });
    await recorder.start();
    try {
      await feedOneByOne(frames, recorder, jpegs.slice(0, 10));
      const [ffmpeg] = await children("ffmpeg");
      assert.notEqual(await sessionOf(ffmpeg), await sessionOf(Deno.pid), "its own session");
      Deno.kill(ffmpeg, "SIGKILL");
      await until(() => events.some((event) => event.type === "record_failed"), "record_failed");
      await until(() => recorder.stats.state === "recording", "restarted", 5000);
      await feedOneByOne(frames, recorder, jpegs.slice(10));
    } finally {
      await recorder.close();
    }
    const files = await listDir(dir);
    assert.equal(files.length, 2, `files: ${files}`);
    const second = files.find((file) => file !== "cam.mkv")!;
    assert.match(second, /^cam-\d{8}-\d{6}\.mkv$/);
    assert.deepEqual(events.map((event) => event.type), [
      "record_file",
      "record_failed",
      "record_file",
    ]);
    const failed = events[1] as Extract<RecorderEvent, { type: "record_failed" }>;
    assert.equal(failed.path, path);
    assert.equal(failed.error, "ffmpeg was stopped by SIGKILL");
    assert.equal(failed.retryInMs, 1000);
    // A killed ffmpeg leaves what it had flushed: all but the frames it still held.
    const first = (await probe(path)).frames;
    assert.ok(first >= 8 && first <= 10, `${first} frames in the first file`);
    assert.equal((await probe(`${dir}/${second}`)).frames, jpegs.length - 10);
    const { failures, restarts, files: opened, framesWritten } = recorder.stats;
    assert.deepEqual({ failures, restarts, opened, framesWritten }, {
      failures: 1,
      restarts: 1,
      opened: 2,
      framesWritten: jpegs.length,
    });
  });
});

Deno.test("Recorder gives up after failures in a row and leaves no empty files", async () => {
  await withDir(async (dir) => {
    const ffmpeg = `${dir}/failing-ffmpeg`;
    await Deno.writeTextFile(ffmpeg, "#!/bin/sh\necho '[error] disk on fire' >&2\nexit 1\n");
    await Deno.chmod(ffmpeg, 0o755);
    const events: RecorderEvent[] = [];
    const recorder = new Recorder({
      frames: new LatestValue(),
      path: `${dir}/cam.mkv`,
      ffmpeg,
      maxFailures: 2,
      backoffMs: [0],
      onEvent: (event) => events.push(event),
    });
    await recorder.start();
    await until(() => recorder.stats.state === "failed", "gave up", 5000);
    await recorder.close();
    assert.deepEqual(events.map((event) => event.type), [
      "record_file",
      "record_failed",
      "record_file",
      "record_stopped",
    ]);
    assert.deepEqual(events.at(-1), {
      type: "record_stopped",
      error: "ffmpeg exited with code 1: disk on fire",
      failures: 2,
    });
    assert.equal(recorder.stats.state, "failed");
    assert.deepEqual(await listDir(dir), ["failing-ffmpeg"]);
  });
});

Deno.test("Recorder.close() stops an ffmpeg that does not finish", async () => {
  await withDir(async (dir) => {
    const ffmpeg = `${dir}/stuck-ffmpeg`;
    await Deno.writeTextFile(ffmpeg, "#!/bin/sh\nexec sleep 30\n");
    await Deno.chmod(ffmpeg, 0o755);
    const recorder = new Recorder({
      frames: new LatestValue(),
      path: `${dir}/cam.mkv`,
      ffmpeg,
      finishMs: 200,
    });
    await recorder.start();
    const [pid] = await children("sleep");
    assert.ok(await alive(pid));
    const started = performance.now();
    await recorder.close();
    const took = performance.now() - started;
    assert.ok(took >= 150 && took < 2000, `close took ${took.toFixed(0)} ms`);
    assert.equal(await alive(pid), false);
    assert.equal(recorder.stats.state, "stopped");
  });
});
