/**
 * `sender --rtsp URL` publishing to real RTSP servers: ffmpeg listening with
 * `-rtsp_flags listen` (it takes ANNOUNCE/SETUP/RECORD and writes out the
 * frames it reads back), restarted under a running sender; and a server
 * written here that asks for Digest credentials.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ToolProcess } from "../_tool.ts";
import { JpegSplitter } from "../../lib/capture/jpeg_splitter.ts";
import { frameMd5s, makeRtpClip } from "../rtp/_rtp_peers.ts";

/** A free TCP port on 127.0.0.1. */
function freeTcpPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** ffmpeg as an RTSP server taking one publisher at `url`, and the JPEGs it reads back. */
class FfmpegRtspServer {
  readonly frames: Uint8Array[] = [];
  readonly child: Deno.ChildProcess;
  #reading: Promise<void>;

  constructor(url: string) {
    this.child = new Deno.Command("ffmpeg", {
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        "-rtsp_flags",
        "listen",
        "-i",
        url,
        "-c",
        "copy",
        "-f",
        "mjpeg",
        "pipe:1",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    // The frames as they came, their headers rebuilt by ffmpeg's RTP/JPEG reader.
    const stdout = this.child.stdout;
    this.#reading = (async () => {
      for await (const frame of stdout.pipeThrough(new JpegSplitter())) {
        this.frames.push(frame.slice());
      }
    })().catch(() => {});
  }

  async waitFrames(count: number, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.frames.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`${this.frames.length} of ${count} frames in ${ms} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // Gone.
    }
    await this.child.status;
    await this.#reading;
  }
}

/** The sender as shipped, playing `clip` (--copy, on a loop) and publishing it to `url`. */
function publish(clip: string, url: string): ToolProcess {
  return new ToolProcess("sender", [
    "--source",
    clip,
    "--copy",
    "--loop",
    "--listen",
    "127.0.0.1:0",
    "--rtsp",
    url,
  ]);
}

/** Whether every frame in `frames` decodes to one of the clip's frames, to the pixel. */
async function framesOf(clip: string, frames: Uint8Array[], dir: string): Promise<string[]> {
  const path = `${dir}/got-${crypto.randomUUID()}.mjpeg`;
  await Deno.writeFile(path, new Uint8Array(frames.flatMap((frame) => [...frame])));
  const sent = new Set(await frameMd5s(clip));
  const got = await frameMd5s(path, "mjpeg");
  return got.filter((md5) => !sent.has(md5));
}

Deno.test("sender --rtsp publishes to an RTSP server (ffmpeg listening), which reads back the very frames sent", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeTcpPort();
  const url = `rtsp://127.0.0.1:${port}/live`;
  const server = new FfmpegRtspServer(url);
  const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 20 });
  const sender = publish(clip, url);
  try {
    const publishing = await sender.waitFor("rtsp_publishing", () => true, 20_000);
    assert.equal(publishing.url, url);
    await server.waitFrames(15);
    assert.deepEqual(await framesOf(clip, server.frames, dir), [], "every frame one sent");
  } finally {
    await sender.stop();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
  const stopped = sender.events.find((line) => line.event === "stopped");
  const stats = stopped?.rtsp as Record<string, number>;
  assert.ok(stats.frames >= 15 && stats.sessions === 1, JSON.stringify(stats));
});

Deno.test("sender --rtsp connects again, with backoff, to a server that went away and came back", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeTcpPort();
  const url = `rtsp://127.0.0.1:${port}/live`;
  const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 20 });
  let server = new FfmpegRtspServer(url);
  const sender = publish(clip, url);
  try {
    await sender.waitFor("rtsp_publishing", () => true, 20_000);
    await server.waitFrames(5);
    await server.stop();
    const failed = await sender.waitFor("rtsp_failed");
    assert.equal(failed.url, url);
    assert.equal(typeof failed.reason, "string");
    // Down for a while: the retries back off.
    await sender.waitFor("rtsp_failed", (line) => Number(line.retryMs) >= 2000, 10_000);
    server = new FfmpegRtspServer(url);
    await sender.waitFor(
      "rtsp_publishing",
      () => sender.events.filter((line) => line.event === "rtsp_publishing").length === 2,
      20_000,
    );
    await server.waitFrames(5);
    assert.deepEqual(await framesOf(clip, server.frames, dir), [], "the frames after, whole");
    const retries = sender.events.filter((line) => line.event === "rtsp_failed")
      .map((line) => Number(line.retryMs));
    assert.deepEqual(retries.slice(0, 3), [500, 1000, 2000], "waits double");
  } finally {
    await sender.stop();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * An RTSP server that asks for Digest credentials (as MediaMTX does), checks
 * each request's answer by RFC 2617, and counts the frames it is sent.
 */
async function digestServer(
  listener: Deno.Listener,
  password: string,
  until: AbortSignal,
): Promise<{ methods: string[]; frames: number; refused: number }> {
  const seen = { methods: [] as string[], frames: 0, refused: 0 };
  const md5 = (text: string) => createHash("md5").update(text).digest("hex");
  const nonce = "4f2b9c";
  const serve = async (conn: Deno.Conn) => {
    const reply = (cseq: string, status: string, headers: string[] = []) =>
      conn.write(new TextEncoder().encode(
        [`RTSP/1.0 ${status}`, `CSeq: ${cseq}`, ...headers, "", ""].join("\r\n"),
      ));
    let buffered = new Uint8Array(0);
    const buffer = new Uint8Array(65_536);
    let recording = false;
    for (;;) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) return;
      buffered = new Uint8Array([...buffered, ...buffer.subarray(0, n)]);
      // Interleaved RTP once recording: count the marker bits of channel 0.
      while (recording && buffered[0] === 0x24 && buffered.length >= 4) {
        const length = (buffered[2] << 8) | buffered[3];
        if (buffered.length < 4 + length) break;
        if (buffered[1] === 0 && (buffered[5] & 0x80) !== 0) seen.frames++;
        buffered = buffered.subarray(4 + length);
      }
      const text = new TextDecoder().decode(buffered);
      const end = text.indexOf("\r\n\r\n");
      if (buffered[0] === 0x24 || end === -1) continue;
      const length = Number(/Content-Length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) continue;
      const head = text.slice(0, end);
      buffered = buffered.subarray(end + 4 + length);
      const [method, uri] = head.split(" ");
      const cseq = /CSeq: (\d+)/i.exec(head)?.[1] ?? "0";
      const auth = /Authorization: Digest (.*)/i.exec(head)?.[1] ?? "";
      const field = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(auth)?.[1];
      const expected = md5(`${md5(`cam:udpcam:${password}`)}:${nonce}:${md5(`${method}:${uri}`)}`);
      if (field("response") !== expected || field("uri") !== uri || field("username") !== "cam") {
        seen.refused++;
        await reply(cseq, "401 Unauthorized", [
          `WWW-Authenticate: Digest realm="udpcam", nonce="${nonce}"`,
        ]);
        continue;
      }
      seen.methods.push(method);
      if (method === "SETUP") {
        await reply(cseq, "200 OK", [
          "Session: 12345678;timeout=60",
          "Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record",
        ]);
      } else {
        await reply(
          cseq,
          "200 OK",
          method === "OPTIONS" ? ["Public: ANNOUNCE, SETUP, RECORD"] : [],
        );
      }
      if (method === "RECORD") recording = true;
    }
  };
  const conns: Deno.Conn[] = [];
  until.addEventListener("abort", () => {
    listener.close();
    for (const conn of conns) conn.close();
  });
  const serving: Promise<void>[] = [];
  try {
    for await (const conn of listener) {
      conns.push(conn);
      serving.push(serve(conn).catch(() => {}));
    }
  } catch {
    // Closed.
  }
  await Promise.all(serving);
  return seen;
}

Deno.test("sender --rtsp answers a server's Digest challenge with the URL's credentials, and says so when they are wrong", async () => {
  const dir = await Deno.makeTempDir();
  const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 20 });
  for (const password of ["right", "wrong"]) {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const stop = new AbortController();
    const served = digestServer(listener, "right", stop.signal);
    const sender = publish(clip, `rtsp://cam:${password}@127.0.0.1:${port}/porch`);
    try {
      if (password === "right") {
        const publishing = await sender.waitFor("rtsp_publishing");
        // The password is not logged.
        assert.equal(publishing.url, `rtsp://cam:***@127.0.0.1:${port}/porch`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } else {
        const failed = await sender.waitFor("rtsp_failed");
        assert.match(String(failed.reason), /refused the user name or password/);
      }
    } finally {
      await sender.stop();
      stop.abort();
    }
    const seen = await served;
    if (password === "right") {
      assert.deepEqual(seen.methods, ["OPTIONS", "ANNOUNCE", "SETUP", "RECORD"]);
      assert.equal(seen.refused, 1, "challenged once, then answered");
      assert.ok(seen.frames >= 10, `frames: ${seen.frames}`);
    } else {
      assert.deepEqual(seen.methods, []);
    }
    assert.ok(
      !sender.events.some((line) =>
        JSON.stringify(line).includes(password === "right" ? ":right@" : ":wrong@")
      ),
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a server that takes RECORD and then stops reading is given up within seconds, and the sender still stops at once", async () => {
  const dir = await Deno.makeTempDir();
  const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 20, size: "1280x720" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const held: Deno.Conn[] = [];
  // Answers each request with 200 until RECORD, then reads nothing more.
  const serving = (async () => {
    for await (const conn of listener) {
      held.push(conn);
      (async () => {
        const buffer = new Uint8Array(65_536);
        for (;;) {
          const n = await conn.read(buffer).catch(() => null);
          if (n === null) return;
          const head = new TextDecoder().decode(buffer.subarray(0, n));
          const cseq = /CSeq: (\d+)/i.exec(head)?.[1] ?? "0";
          const session = head.startsWith("SETUP") ? "Session: 1\r\n" : "";
          await conn.write(
            new TextEncoder().encode(`RTSP/1.0 200 OK\r\nCSeq: ${cseq}\r\n${session}\r\n`),
          );
          if (head.startsWith("RECORD")) return;
        }
      })().catch(() => {});
    }
  })().catch(() => {});
  const sender = publish(clip, `rtsp://127.0.0.1:${port}/stuck`);
  try {
    await sender.waitFor("rtsp_publishing", () => true, 20_000);
    const started = Date.now();
    const failed = await sender.waitFor("rtsp_failed", () => true, 30_000);
    assert.ok(Date.now() - started < 25_000, `given up after ${Date.now() - started} ms`);
    assert.equal(typeof failed.reason, "string");
  } finally {
    const stopping = Date.now();
    const status = await sender.stop();
    assert.equal(status.code, 0);
    assert.ok(Date.now() - stopping < 8000, `stopped in ${Date.now() - stopping} ms`);
    listener.close();
    for (const conn of held) {
      try {
        conn.close();
      } catch {
        // Closed.
      }
    }
    await serving;
    await Deno.remove(dir, { recursive: true });
  }
});
