/**
 * The sender's file source (with and without an overlay) and the receiver's
 * recording (one file, and segments), end to end with ffmpeg 4.1, the
 * oldest udpcam supports, under the tools' own permissions.
 */
import assert from "node:assert/strict";
import { oldFfmpeg } from "../_old_ffmpeg.ts";
import { makeMp4 } from "../_media.ts";
import { runTool, startReceiver, startSender, streamed, type ToolProcess } from "../_tool.ts";

const decoder = new TextDecoder();

/** Runs `fn` with a 2 s H.264 MP4 (see {@linkcode makeMp4}) in a temporary folder. */
async function withMp4<T>(fn: (path: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-old-ffmpeg-" });
  try {
    const path = `${dir}/clip.mp4`;
    await makeMp4(path);
    return await fn(path, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The frames ffprobe counts in a file. */
async function framesIn(path: string): Promise<number> {
  const { code, stdout, stderr } = await new Deno.Command("ffprobe", {
    args: [
      ...["-v", "error", "-count_frames", "-select_streams", "v:0"],
      ...["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path],
    ],
  }).output();
  assert.equal(code, 0, decoder.decode(stderr));
  return Number(decoder.decode(stdout).trim());
}

async function stopAll(...tools: Array<ToolProcess | undefined>): Promise<void> {
  for (const tool of tools) await tool?.stop();
}

for (
  const [name, extra] of [
    ["a file", []],
    ["a file with an overlay drawn by ffmpeg", ["--overlay", "{time} {fps} fps"]],
  ] as const
) {
  Deno.test(`with ffmpeg 4.1 the sender streams ${name}`, async () => {
    await withMp4(async (clip) => {
      const ffmpeg = oldFfmpeg();
      const [sender, port] = await startSender([
        ...["--source", clip, "--loop", "--ffmpeg", ffmpeg],
        ...extra,
      ]);
      let receiver: ToolProcess | undefined;
      try {
        const started = await sender.waitFor("source_started");
        assert.match(String(started.detail), /640x360/);
        let url: string;
        [receiver, url] = await startReceiver(port);
        await receiver.waitFor("state", (line) => line.to === "live");
        const { fps, frames } = await streamed(url, 3000);
        assert.ok(fps >= 25, `${fps} fps`);
        assert.ok(frames >= 60, `${frames} frames`);
      } finally {
        await stopAll(receiver, sender);
      }
    });
  });
}

for (
  const [name, extra] of [
    ["to one file", []],
    ["in 1 s segments", ["--record-segment", "1s"]],
  ] as const
) {
  Deno.test(`with ffmpeg 4.1 the receiver records ${name}`, async () => {
    await withMp4(async (clip, dir) => {
      const [sender, port] = await startSender(["--source", clip, "--loop"]);
      let receiver: ToolProcess | undefined;
      try {
        const out = `${dir}/rec`;
        await Deno.mkdir(out);
        [receiver] = await startReceiver(port, [
          ...["--record", `${out}/cam.mkv`, "--ffmpeg", oldFfmpeg()],
          ...extra,
        ]);
        await receiver.waitFor("state", (line) => line.to === "live");
        await new Promise((resolve) => setTimeout(resolve, 2500));
        const status = await receiver.stop("SIGTERM");
        assert.equal(status.code, 0, receiver.stderr);
        const stopped = await receiver.waitFor("stopped");
        const written = (stopped.recording as { framesWritten: number }).framesWritten;
        const files = (await Array.fromAsync(Deno.readDir(out))).map((e) => `${out}/${e.name}`);
        assert.ok(files.length >= (extra.length > 0 ? 2 : 1), `files: ${files}`);
        let frames = 0;
        for (const file of files) frames += await framesIn(file);
        assert.ok(written >= 50, `${written} frames written`);
        assert.equal(frames, written, "every frame written is in the files");
      } finally {
        await stopAll(receiver, sender);
      }
    });
  });
}

Deno.test("with ffmpeg 4.1 the sender lists the cameras it sees", async () => {
  // No camera on these machines: the list is empty, and says so.
  const { code, stdout, stderr } = await runTool("sender", [
    ...["--list-cameras", "--ffmpeg", oldFfmpeg()],
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /No camera found/);
});
