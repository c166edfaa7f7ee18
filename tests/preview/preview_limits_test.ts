/**
 * The receiver's preview against clients that hold on and never finish:
 * idle and slow connections, viewers that never read, and more connections
 * than the process has descriptors. The real receiver, under the permissions
 * it ships with and with its own limits.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readMjpeg } from "../_mjpeg_client.ts";
import { alive } from "../_proc.ts";
import { TcpClient } from "../_tcp_client.ts";
import {
  freeUdpPort,
  startReceiver,
  startSender,
  toolArgs,
  type ToolCommand,
  ToolProcess,
} from "../_tool.ts";

async function closeAll(clients: TcpClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()));
}

function previewPort(url: string): number {
  return Number(new URL(url).port);
}

async function stats(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}stats`, { signal: AbortSignal.timeout(3000) });
  assert.equal(response.status, 200);
  return await response.json();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("the preview keeps at most 128 connections: of 1,000 idle ones it closes the rest at once", async () => {
  const [receiver, url] = await startReceiver(freeUdpPort());
  const clients: TcpClient[] = [];
  try {
    for (let i = 0; i < 1000; i++) clients.push(await TcpClient.open(previewPort(url)));
    const closed = await Promise.all(clients.map((client) => client.closedWithin(1500)));
    const open = closed.filter((c) => !c).length;
    assert.ok(open <= 128, `${open} of 1000 idle connections stayed open`);
    // Held as they are, they keep no one out: a new request is answered.
    assert.equal((await stats(url)).state, "connecting");
  } finally {
    await closeAll(clients);
    assert.equal((await receiver.stop()).code, 0);
  }
});

Deno.test("the preview closes an idle connection, a half header and dripped headers within 5 s", async () => {
  const [receiver, url] = await startReceiver(freeUdpPort());
  const port = previewPort(url);
  const host = `127.0.0.1:${port}`;
  const idle = await TcpClient.open(port);
  const half = await TcpClient.open(port, { text: `GET /stats HTTP/1.1\r\nHost: ${host}\r\n` });
  const drip = await TcpClient.open(port, { text: "GET /stats HTTP/1.1\r\n" });
  let dripping = true;
  const dripped = (async () => {
    for (let i = 0; dripping; i++) {
      if (!(await drip.write(`X-Drip-${i}: ${i}\r\n`))) break;
      await sleep(500);
    }
  })();
  try {
    const started = performance.now();
    const times = await Promise.all(
      [idle, half, drip].map(async (client) =>
        await client.closedWithin(8000) ? performance.now() - started : undefined
      ),
    );
    const [idleMs, halfMs, dripMs] = times;
    const shown = times.map((ms) => ms === undefined ? "open at 8 s" : `${Math.round(ms)} ms`);
    for (const ms of times) {
      assert.ok(ms !== undefined && ms >= 4000 && ms <= 6500, `closed after ${shown.join(", ")}`);
    }
    assert.ok(idleMs! > 0 && halfMs! > 0 && dripMs! > 0);
    // A whole request is still answered.
    assert.equal((await stats(url)).state, "connecting");
  } finally {
    dripping = false;
    await closeAll([idle, half, drip]);
    await dripped;
    assert.equal((await receiver.stop()).code, 0);
  }
});

/** Runs a tool as `toolArgs` does, in a shell that first lowers the open files limit to `files`. */
function withFileLimit(files: number): ToolCommand {
  return (tool, args, env, denoFlags = []) =>
    new Deno.Command("sh", {
      args: [
        "-c",
        `ulimit -n ${files} && exec "$0" "$@"`,
        Deno.execPath(),
        ...toolArgs(tool, args, denoFlags),
      ],
      cwd: new URL("../../", import.meta.url),
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
}

// With 300 descriptors the cap keeps the receiver clear of the limit; with 120 (it needs
// about 35) the connections run it out of descriptors, and accepting fails until they go.
for (const files of [300, 120]) {
  Deno.test(`with ${files} descriptors, 400 idle connections neither stop the receiver nor its recording`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "udpcam-fds-" });
    const [sender, senderPort] = await startSender(["--source", "test", "--fps", "10"]);
    const receiver = new ToolProcess(
      "receiver",
      [`127.0.0.1:${senderPort}`, "--http", "127.0.0.1:0", "--record", `${dir}/cam.mkv`],
      undefined,
      [],
      withFileLimit(files),
    );
    const clients: TcpClient[] = [];
    try {
      const url = String((await receiver.waitFor("listening")).url);
      await receiver.waitFor("state", (event) => event.to === "live");
      await receiver.waitFor("record_file");
      await sleep(500);
      const before = (await stats(url)).recording as Record<string, number>;
      let refused = 0;
      for (let i = 0; i < 400; i++) {
        try {
          clients.push(await TcpClient.open(previewPort(url)));
        } catch {
          refused++;
        }
      }
      await sleep(1000);
      await closeAll(clients.splice(0));
      await sleep(500);
      assert.ok(
        await alive(receiver.child.pid),
        `the receiver exited (${refused} connections refused): ${receiver.stderr}`,
      );
      const after = await stats(url);
      const recording = after.recording as Record<string, number>;
      assert.equal(after.state, "live");
      assert.equal(recording.state, "recording");
      assert.equal(recording.failures, 0);
      assert.ok(
        recording.framesWritten >= before.framesWritten + 10,
        `frames written ${before.framesWritten} -> ${recording.framesWritten} in 2 s at 10 fps`,
      );
      let parts = 0;
      await readMjpeg(`${url}stream.mjpg`, { durationMs: 1500, onPart: () => parts++ });
      assert.ok(parts >= 5, `a viewer afterwards got ${parts} frames`);
      assert.doesNotMatch(receiver.stderr, /Uncaught|Too many open files/);
      const { acceptErrors, refused: capped } = after.http as Record<string, number>;
      if (files === 300) {
        assert.equal(acceptErrors, 0, "never out of descriptors");
        assert.ok(capped >= 400 - 128, `${capped} connections over the cap refused`);
      } else {
        assert.ok(acceptErrors > 0, "out of descriptors for a while");
        const warning = receiver.events.find((event) => event.event === "warning");
        assert.match(String(warning?.message), /cannot take connections \(Too many open files/);
      }
    } finally {
      await closeAll(clients);
      await receiver.stop();
      await sender.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("64 viewers that never read are dropped, and a new viewer gets frames", async () => {
  // Large frames fill the socket buffers of a viewer that never reads in a second or two.
  const [sender, senderPort] = await startSender(["--source", "test", "--quality", "100"]);
  const [receiver, url] = await startReceiver(senderPort);
  const port = previewPort(url);
  const stuck: TcpClient[] = [];
  try {
    await receiver.waitFor("state", (event) => event.to === "live");
    for (let i = 0; i < 64; i++) {
      const head = `GET /stream.mjpg HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
      stuck.push(await TcpClient.open(port, { text: head, read: false }));
    }
    const deadline = Date.now() + 3000;
    while (((await stats(url)).preview as { viewers: number }).viewers < 64) {
      assert.ok(Date.now() < deadline, "64 viewers within 3 s");
      await sleep(100);
    }
    const started = performance.now();
    let parts = 0;
    let refusals = 0;
    while (parts === 0 && performance.now() - started < 20_000) {
      try {
        await readMjpeg(`${url}stream.mjpg`, { durationMs: 1000, onPart: () => parts++ });
      } catch (error) {
        assert.match(String(error), /503/);
        refusals++;
        await sleep(500);
      }
    }
    const waitedMs = Math.round(performance.now() - started);
    assert.ok(parts > 0, `a new viewer got ${refusals} refusals (503) in ${waitedMs} ms`);
    // Their socket buffers fill in a few seconds; then one that has taken nothing for 2 s
    // gives way to a new viewer, and after 10 s each is dropped anyway.
    assert.ok(waitedMs <= 12_000, `a new viewer waited ${waitedMs} ms`);
    const { viewersDropped } = (await stats(url)).preview as { viewersDropped: number };
    assert.ok(viewersDropped >= 1, `${viewersDropped} viewers dropped`);
  } finally {
    await closeAll(stuck);
    await receiver.stop();
    await sender.stop();
  }
});

Deno.test("100 streams aborted mid-frame leave the receiver no descriptor behind", async () => {
  const [sender, senderPort] = await startSender(["--source", "test"]);
  const [receiver, url] = await startReceiver(senderPort);
  const fds = () => [...Deno.readDirSync(`/proc/${receiver.child.pid}/fd`)].length;
  try {
    await receiver.waitFor("state", (event) => event.to === "live");
    // One stream read once, so that whatever a first viewer makes for good is in the baseline.
    await readMjpeg(`${url}stream.mjpg`, { durationMs: 300, onPart: () => {} });
    await sleep(500);
    const baseline = fds();
    for (let i = 0; i < 100; i++) {
      const controller = new AbortController();
      const response = await fetch(`${url}stream.mjpg`, { signal: controller.signal });
      const reader = response.body!.getReader();
      await reader.read(); // some bytes of a part, then gone
      controller.abort();
      await reader.cancel().catch(() => {});
    }
    // The server finds a client gone at its next write: a frame at most a second away.
    // A viewer is let go a moment after its descriptor closes: both are waited for.
    const viewersNow = async () => ((await stats(url)).preview as { viewers: number }).viewers;
    const deadline = Date.now() + 5000;
    let now = fds();
    let viewers = await viewersNow();
    while ((now > baseline + 2 || viewers > 0) && Date.now() < deadline) {
      await sleep(200);
      now = fds();
      viewers = await viewersNow();
    }
    assert.ok(
      now <= baseline + 2,
      `${now} descriptors after 100 aborted streams, ${baseline} before`,
    );
    assert.equal(viewers, 0, "no viewer left behind");
  } finally {
    await receiver.stop();
    await sender.stop();
  }
});
