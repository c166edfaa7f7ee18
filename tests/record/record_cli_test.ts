import assert from "node:assert/strict";
import { readMjpeg } from "../_mjpeg_client.ts";
import { alive } from "../_proc.ts";
import { runTool, startSender, ToolProcess } from "../_tool.ts";

const decoder = new TextDecoder();

function assertOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/, "no stack trace");
}

/** What ffprobe reads in a file's video stream, and its packets' times in seconds. */
async function probe(path: string): Promise<{ frames: number; codec: string; times: number[] }> {
  const { code, stdout, stderr } = await new Deno.Command("ffprobe", {
    args: [
      ...["-v", "error", "-count_frames", "-select_streams", "v:0"],
      ...["-show_entries", "stream=nb_read_frames,codec_name:packet=pts_time", "-of", "json"],
      path,
    ],
  }).output();
  assert.equal(code, 0, decoder.decode(stderr));
  const { streams: [stream], packets } = JSON.parse(decoder.decode(stdout));
  return {
    frames: Number(stream.nb_read_frames),
    codec: stream.codec_name,
    times: packets.map((packet: { pts_time: string }) => Number(packet.pts_time)),
  };
}

/** The children of `pid` named `name`, found by their parent in /proc. */
async function childrenNamed(pid: number, name: string): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`).catch(() => "");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid && comm === name) found.push(Number(entry.name));
  }
  return found;
}

async function until<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function recording(url: string): Promise<Record<string, unknown>> {
  const stats = await (await fetch(`${url}stats`)).json();
  return stats.recording;
}

const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1];

Deno.test("receiver --record keeps recording while viewers come and go; killed, its ffmpeg still finishes the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-record-" });
  const path = `${dir}/x.mkv`;
  const [sender, port] = await startSender(["--source", "test", "--fps", "10"]);
  const receiver = new ToolProcess("receiver", [
    ...[`127.0.0.1:${port}`, "--record", path, "--http", "127.0.0.1:0"],
  ]);
  let senderStopped = false;
  try {
    const url = String((await receiver.waitFor("listening")).url);
    assert.equal((await receiver.waitFor("record_file")).path, path);
    await receiver.waitFor("state", (event) => event.to === "live");

    await new Promise((resolve) => setTimeout(resolve, 1000));
    let parts = 0;
    await readMjpeg(`${url}stream.mjpg`, { durationMs: 1000, onPart: () => parts++ });
    assert.ok(parts >= 5, `the viewer got ${parts} frames`);
    const afterViewer = (await recording(url)).framesWritten as number;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.ok(
      (await recording(url)).framesWritten as number > afterViewer + 5,
      "recording goes on after the viewer left",
    );

    await sender.stop();
    senderStopped = true;
    // Once the last frame is in ffmpeg's stdin, the count stops moving.
    let last = -1;
    const written = await until(
      async () => {
        const now = (await recording(url)).framesWritten as number;
        const settled = now === last ? now : undefined;
        last = now;
        return settled;
      },
      "framesWritten to settle",
      10_000,
    );
    assert.ok(written >= 25, `${written} frames written in about 3 s at 10 fps`);
    const stats = await recording(url);
    assert.equal(stats.file, path);
    assert.equal(stats.state, "recording");
    assert.equal(stats.failures, 0);

    const [ffmpeg] = await childrenNamed(receiver.child.pid, "ffmpeg");
    assert.ok(ffmpeg !== undefined, "the receiver runs ffmpeg");
    await receiver.stop("SIGKILL");
    // ffmpeg reads the end of its stdin, finishes the file and exits by itself.
    await until(async () => (await alive(ffmpeg)) ? undefined : true, "ffmpeg to exit", 5000);

    const { frames, codec, times } = await probe(path);
    assert.equal(codec, "mjpeg");
    assert.equal(frames, written, "every frame written is in the file");
    // The test pattern is captured every 100 ms: the file keeps that pace.
    const steps = times.slice(1).map((time, i) => time - times[i]);
    const step = median(steps);
    assert.ok(Math.abs(step - 0.1) <= 0.01, `median step ${step} s`);
    const seconds = times.at(-1)! - times[0];
    assert.ok(
      Math.abs(seconds - (frames - 1) * 0.1) < 0.5,
      `${frames} frames span ${seconds.toFixed(2)} s`,
    );
  } finally {
    await receiver.stop("SIGKILL");
    if (!senderStopped) await sender.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("receiver --record --record-segment stopped with SIGTERM finishes every file it named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-record-" });
  const [sender, port] = await startSender(["--source", "test", "--fps", "10"]);
  const receiver = new ToolProcess("receiver", [
    ...[`127.0.0.1:${port}`, "--record", `${dir}/cam.avi`, "--record-segment", "1s"],
    ...["--http", "127.0.0.1:0"],
  ]);
  try {
    await receiver.waitFor("state", (event) => event.to === "live");
    await receiver.waitFor("record_file", (event) => event.path !== undefined);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const status = await receiver.stop("SIGTERM");
    assert.equal(status.code, 0);
    const stopped = await receiver.waitFor("stopped");
    const stats = stopped.recording as { framesWritten: number; files: number; state: string };
    assert.equal(stats.state, "stopped");
    const named = receiver.events.filter((e) => e.event === "record_file").map((e) => e.path);
    const files = (await Array.fromAsync(Deno.readDir(dir))).map((e) => `${dir}/${e.name}`);
    assert.deepEqual(files.toSorted(), named.toSorted(), "a record_file event for each file");
    assert.ok(files.length >= 2, `${files.length} files`);
    assert.equal(stats.files, files.length);
    for (const file of files) assert.match(file, /\/cam-\d{8}-\d{6}\.avi$/);
    let frames = 0;
    for (const file of files) frames += (await probe(file)).frames;
    assert.equal(frames, stats.framesWritten);
  } finally {
    await receiver.stop("SIGKILL");
    await sender.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("receiver with a bad --record or --record-segment gets one error line and exit code 2", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["--record", "cam.mp4"], /--record needs a \.mkv, \.avi or \.mjpeg file, got "cam\.mp4"/],
    [["--record", ""], /--record needs a \.mkv, \.avi or \.mjpeg file/],
    [["--record-segment", "10m"], /--record-segment needs --record FILE/],
    [["--record", "cam.mkv", "--record-segment", "0s"], /--record-segment needs a duration/],
    [["--record", "cam.mkv", "--record-segment", "25h"], /from 1s to 24h, got "25h"/],
    [["--record", "cam.mkv", "--record-segment", "soon"], /such as 90, 30s, 10m or 1h/],
    [["--ffmpeg", "/usr/bin/ffmpeg"], /--ffmpeg is for --record/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await runTool("receiver", args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assertOneLineError(stderr, pattern);
  }
});

Deno.test("receiver --record refuses an existing file with one line, and leaves it alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-record-" });
  try {
    const path = `${dir}/cam.mkv`;
    await Deno.writeTextFile(path, "yesterday's recording");
    const { code, stderr } = await runTool("receiver", [
      ...["127.0.0.1:9", "--record", path, "--http", "127.0.0.1:0"],
    ]);
    assert.equal(code, 1);
    assertOneLineError(stderr, /cam\.mkv already exists: recording never overwrites a file/);
    assert.equal(await Deno.readTextFile(path), "yesterday's recording");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("receiver --record without ffmpeg says how to install it and exits 3", async () => {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-record-" });
  try {
    const { code, stderr } = await runTool("receiver", [
      ...["127.0.0.1:9", "--record", `${dir}/cam.mkv`, "--ffmpeg", `${dir}/ffmpeg`],
      ...["--http", "127.0.0.1:0"],
    ]);
    assert.equal(code, 3);
    assertOneLineError(
      stderr,
      /ffmpeg not found at ".*\/ffmpeg": correct that path .* install ffmpeg with/,
    );
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), [], "no file left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
