/**
 * The classic tutorial's protocol both ways, through the shipped tools: a
 * client written here greets `sender --tutorial-port`, and a server written
 * here serves `receiver tutorial://`, as the tutorial's Python client and
 * server do (one greeting; then one datagram of base64 JPEG a frame).
 *
 * @module
 */
import assert from "node:assert/strict";
import { freeUdpPort, ToolProcess } from "../_tool.ts";
import { clipFrames, digest, makeClip } from "../_media.ts";
import { jpegDimensions } from "../../lib/image/mod.ts";
import { TUTORIAL_MAX_DATAGRAM } from "../../lib/tutorial/mod.ts";

/** A clip whose frames are far over what one datagram carries in base64 (about 150 KB each). */
const LARGE = { width: 1280, height: 720, fps: 30, seconds: 2, noise: 40, qscale: 2 };
/** A clip whose frames fit (about 10 KB each). */
const SMALL = { width: 320, height: 240, fps: 30, seconds: 2, noise: 5, qscale: 5 };

/** The tutorial's client: greets `port` with "Conectado" and keeps the datagrams that come back. */
class TutorialClient {
  readonly socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  readonly datagrams: Uint8Array[] = [];
  #reading: Promise<void>;

  constructor(port: number) {
    this.socket.send(new TextEncoder().encode("Conectado"), {
      transport: "udp",
      hostname: "127.0.0.1",
      port,
    });
    this.#reading = (async () => {
      const buffer = new Uint8Array(65_536);
      try {
        for (;;) {
          const [datagram] = await this.socket.receive(buffer);
          this.datagrams.push(datagram.slice());
        }
      } catch {
        // Closed.
      }
    })();
  }

  get port(): number {
    return (this.socket.addr as Deno.NetAddr).port;
  }

  /** Waits for `count` datagrams, or throws after `ms`. */
  async waitFor(count: number, ms = 10_000): Promise<Uint8Array[]> {
    const deadline = Date.now() + ms;
    while (this.datagrams.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`${this.datagrams.length} of ${count} datagrams within ${ms} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.datagrams.slice(0, count);
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.#reading;
  }
}

/** The sender as shipped, playing `clip` as it is on a loop, serving the tutorial's clients on `port`. */
function tutorialSender(clip: string, port: number): ToolProcess {
  return new ToolProcess("sender", [
    ...["--listen", "127.0.0.1:0", "--source", clip, "--copy", "--loop"],
    ...["--tutorial-port", String(port)],
  ]);
}

/** The JPEG in a tutorial datagram, read as the tutorial's client reads it. */
function jpegOf(datagram: Uint8Array): Uint8Array<ArrayBuffer> {
  return Uint8Array.fromBase64(new TextDecoder().decode(datagram));
}

/** Whether ffmpeg decodes the JPEG at `path` with no error at all (it stops at the first). */
async function decodesCleanly(path: string): Promise<boolean> {
  const { success, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-xerror", "-err_detect", "explode"],
      ...["-i", path, "-f", "null", "-"],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return success && stderr.length === 0;
}

async function md5Set(frames: Uint8Array[]): Promise<Set<string>> {
  return new Set(await Promise.all(frames.map((frame) => digest(new Uint8Array(frame)))));
}

Deno.test("sender --tutorial-port: a client that greets gets each frame as one base64 datagram under 65,507 bytes, frames too large made smaller and decodable", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeUdpPort();
  const clip = await makeClip(dir, LARGE);
  const sourceFrames = await clipFrames(clip);
  assert.ok(sourceFrames.every((frame) => frame.length > 100_000), "every source frame is large");
  const sender = tutorialSender(clip, port);
  let client: TutorialClient | undefined;
  try {
    const announced = await sender.waitFor("tutorial");
    assert.equal(announced.address, `127.0.0.1:${port}`);
    client = new TutorialClient(port);
    const joined = await sender.waitFor("client_joined");
    assert.equal(joined.address, `127.0.0.1:${client.port}`);
    const datagrams = await client.waitFor(10);
    for (const [i, datagram] of datagrams.entries()) {
      assert.ok(datagram.length <= TUTORIAL_MAX_DATAGRAM, `datagram ${i}: ${datagram.length}`);
      const jpeg = jpegOf(datagram);
      const size = jpegDimensions(jpeg);
      assert.ok(size !== undefined && size.width * 9 === size.height * 16, `frame ${i} is whole`);
      assert.deepEqual([...jpeg.subarray(-2)], [0xff, 0xd9], `frame ${i} ends`);
      await Deno.writeFile(`${dir}/got-${i}.jpg`, jpeg);
      assert.ok(await decodesCleanly(`${dir}/got-${i}.jpg`), `frame ${i} decodes without an error`);
    }
  } finally {
    await client?.close();
    const status = await sender.stop();
    assert.equal(status.code, 0, sender.stderr);
    await Deno.remove(dir, { recursive: true });
  }
  const stopped = sender.events.find((line) => line.event === "stopped");
  const tutorial = (stopped?.tutorial ?? {}) as Record<string, number>;
  assert.ok(tutorial.refitted >= 10, `frames made smaller: ${JSON.stringify(tutorial)}`);
  assert.equal(tutorial.unfit, 0);
});

Deno.test("sender --tutorial-port: frames that fit go as they are, byte for byte; a fifth client is refused and gets nothing", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeUdpPort();
  const clip = await makeClip(dir, SMALL);
  const sent = await md5Set(await clipFrames(clip));
  const sender = tutorialSender(clip, port);
  const clients: TutorialClient[] = [];
  try {
    await sender.waitFor("tutorial");
    for (let i = 0; i < 4; i++) {
      clients.push(new TutorialClient(port));
      await sender.waitFor("client_joined", (line) => line.clients === i + 1);
    }
    const fifth = new TutorialClient(port);
    clients.push(fifth);
    const refused = await sender.waitFor(
      "warning",
      (line) => String(line.message).includes(`127.0.0.1:${fifth.port} refused`),
    );
    assert.match(String(refused.message), /all clients are taken/);
    for (const client of clients.slice(0, 4)) {
      const got = await md5Set((await client.waitFor(5)).map(jpegOf));
      for (const md5 of got) assert.ok(sent.has(md5), "a frame of the clip, byte for byte");
    }
    assert.equal(fifth.datagrams.length, 0, "the fifth client got nothing");
  } finally {
    for (const client of clients) await client.close();
    await sender.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("receiver tutorial://HOST:PORT greets a tutorial server and shows its frames, the very bytes; a forged datagram from elsewhere is not shown", async () => {
  const dir = await Deno.makeTempDir();
  const server = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const forger = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const port = (server.addr as Deno.NetAddr).port;
  const frames = await clipFrames(await makeClip(dir, SMALL));
  const forged = await clipFrames(await makeClip(dir, { ...SMALL, noise: 0, qscale: 20 }));
  const receiver = new ToolProcess("receiver", [
    `tutorial://127.0.0.1:${port}`,
    "--http",
    "127.0.0.1:0",
  ]);
  try {
    const { url, sender } = await receiver.waitFor("listening");
    assert.equal(sender, `tutorial://127.0.0.1:${port}`);
    // As the tutorial's server does: one greeting, then frames to whoever sent it.
    const [greeting, client] = await server.receive(new Uint8Array(2048));
    assert.equal(new TextDecoder().decode(greeting), "Conectado");
    const to = client as Deno.NetAddr;
    const encode = (frame: Uint8Array) => new TextEncoder().encode(frame.toBase64());
    for (const [i, frame] of frames.entries()) {
      await server.send(encode(frame), to);
      if (i % 5 === 0) await forger.send(encode(forged[i]), to);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stats = await (await fetch(`${url}stats`)).json();
    assert.equal(stats.state, "live");
    assert.equal(stats.framesReceived, frames.length, "every frame the server sent");
    assert.equal(
      stats.rejected.wrongSender,
      Math.ceil(frames.length / 5),
      "the forged ones not taken",
    );
    assert.equal(stats.width, 320);
    const snapshot = new Uint8Array(await (await fetch(`${url}snapshot.jpg`)).arrayBuffer());
    assert.equal(
      await digest(snapshot),
      await digest(new Uint8Array(frames.at(-1)!)),
      "the last frame, byte for byte",
    );
  } finally {
    await receiver.stop();
    server.close();
    forger.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("receiver tutorial:// joins sender --tutorial-port: frames too large for a datagram reach the preview, made smaller", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeUdpPort();
  const clip = await makeClip(dir, LARGE);
  const sender = tutorialSender(clip, port);
  let receiver: ToolProcess | undefined;
  try {
    await sender.waitFor("tutorial");
    receiver = new ToolProcess("receiver", [
      `tutorial://127.0.0.1:${port}`,
      "--http",
      "127.0.0.1:0",
    ]);
    const { url } = await receiver.waitFor("listening");
    await sender.waitFor("client_joined");
    const deadline = Date.now() + 15_000;
    let stats = await (await fetch(`${url}stats`)).json();
    while (stats.framesReceived < 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stats = await (await fetch(`${url}stats`)).json();
    }
    assert.ok(stats.framesReceived >= 5, `frames: ${stats.framesReceived}`);
    assert.equal(stats.rejected.malformed, 0);
    const snapshot = new Uint8Array(await (await fetch(`${url}snapshot.jpg`)).arrayBuffer());
    await Deno.writeFile(`${dir}/snapshot.jpg`, snapshot);
    assert.ok(await decodesCleanly(`${dir}/snapshot.jpg`), "the snapshot decodes without an error");
  } finally {
    await receiver?.stop();
    await sender.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
