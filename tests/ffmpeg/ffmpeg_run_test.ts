import assert from "node:assert/strict";
import { FfmpegRun, KILL_GRACE_MS } from "../../lib/ffmpeg/ffmpeg_run.ts";

/** Runs `body` with a stand-in ffmpeg, a shell script running `script`, in a fresh folder. */
async function withScript(script: string, body: (ffmpeg: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const ffmpeg = `${dir}/ffmpeg`;
    await Deno.writeTextFile(ffmpeg, `#!/bin/sh\n${script}\n`);
    await Deno.chmod(ffmpeg, 0o755);
    await body(ffmpeg);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("FfmpegRun.stop(0) kills an ffmpeg that ignores SIGTERM with SIGKILL after the grace", async () => {
  // A signal ignored stays ignored across exec: sleep ignores SIGTERM too.
  await withScript("trap '' TERM\nexec sleep 10", async (ffmpeg) => {
    const run = new FfmpegRun(ffmpeg, { args: [] });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the trap is set
    const started = performance.now();
    const status = await run.stop(0);
    const took = performance.now() - started;
    assert.equal(status.signal, "SIGKILL");
    assert.ok(took >= KILL_GRACE_MS - 100 && took < KILL_GRACE_MS + 1000, `${took} ms`);
    assert.ok(run.gone.aborted);
  });
});

Deno.test("FfmpegRun.stop(0) ends an ffmpeg that obeys SIGTERM at once", async () => {
  await withScript("exec sleep 10", async (ffmpeg) => {
    const run = new FfmpegRun(ffmpeg, { args: [] });
    const started = performance.now();
    const status = await run.stop(0);
    assert.equal(status.signal, "SIGTERM");
    assert.ok(performance.now() - started < 1000);
  });
});

Deno.test("FfmpegRun.stop() waits the grace for ffmpeg to exit by itself, and sends nothing", async () => {
  await withScript("sleep 0.3\nexit 3", async (ffmpeg) => {
    const run = new FfmpegRun(ffmpeg, { args: [] });
    const status = await run.stop(5000);
    assert.equal(status.signal, null);
    assert.equal(status.code, 3);
    assert.ok(run.runningMs >= 250 && run.runningMs < 2000, `${run.runningMs} ms`);
    // A second call waits for the first, and says the same.
    assert.deepEqual(await run.stop(0), status);
  });
});

Deno.test("FfmpegRun keeps only the tail of stderr, blank lines left out and long lines cut", async () => {
  const lines = ["one", "", "two", "three", "  ", "four is long", "five"];
  await withScript(`printf '${lines.join("\\n")}\\n' >&2`, async (ffmpeg) => {
    const run = new FfmpegRun(ffmpeg, { args: [], tailLines: 3, lineChars: 6 });
    await run.stop(5000);
    assert.deepEqual(run.tail, ["three", "four i", "five"]);
  });
});

Deno.test("FfmpegRun keeps what keepLine makes of each stderr line, and drops what it refuses", async () => {
  await withScript("printf 'a\\nerror: b\\r\\nc\\rerror: d' >&2", async (ffmpeg) => {
    const seen: string[] = [];
    const run = new FfmpegRun(ffmpeg, {
      args: [],
      keepLine: (line) => {
        seen.push(line);
        return line.startsWith("error: ") ? line.slice(7).toUpperCase() : undefined;
      },
    });
    await run.stop(5000);
    assert.deepEqual(seen, ["a", "error: b", "c", "error: d"]);
    assert.deepEqual(run.tail, ["B", "D"]);
  });
});

Deno.test("FfmpegRun writes to ffmpeg's stdin, reads its output, and ends its input on stop", async () => {
  await withScript("exec cat", async (ffmpeg) => {
    const run = new FfmpegRun(ffmpeg, {
      args: [],
      input: true,
      output: new TransformStream<Uint8Array, string>({
        transform: (chunk, controller) => controller.enqueue(new TextDecoder().decode(chunk)),
      }),
    });
    await run.write(new TextEncoder().encode("frame"));
    assert.equal(await run.read(), "frame");
    const status = await run.stop(5000); // cat ends with its input
    assert.equal(status.code, 0);
    assert.equal(await run.read(), undefined);
    await assert.rejects(run.write(new Uint8Array(1)));
  });
});

Deno.test("FfmpegRun throws as Deno.Command does when there is no such program", () => {
  assert.throws(
    () => new FfmpegRun("/nonexistent/ffmpeg", { args: [] }),
    Deno.errors.NotFound,
  );
});
