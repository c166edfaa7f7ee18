import assert from "node:assert/strict";
import { sealDatagram } from "../../lib/seal/datagram_seal.ts";
import { StreamKey } from "../../lib/seal/stream_key.ts";
import { StreamSecret } from "../../lib/seal/stream_secret.ts";
import { UdpReceiver } from "../../lib/receive/udp_receiver.ts";
import { UdpSender } from "../../lib/send/udp_sender.ts";
import { drain, fixedSaltHelloKey, tinyJpeg } from "../_attack.ts";
import { freeUdpPort, type LogLine, runTool, ToolProcess } from "../_tool.ts";

const KEY = "a shared secret for the tests, long enough";
const WRONG = "another secret, not the one the sender has";
const TEST_SOURCE = ["--source", "test", "--fps", "15"];

function sender(port: number, args: string[], env?: Record<string, string>): ToolProcess {
  return new ToolProcess("sender", ["--listen", `127.0.0.1:${port}`, ...TEST_SOURCE, ...args], env);
}

async function receiver(
  port: number,
  args: string[],
  env?: Record<string, string>,
): Promise<[ToolProcess, string, LogLine]> {
  const tool = new ToolProcess(
    "receiver",
    [`127.0.0.1:${port}`, "--http", "127.0.0.1:0", ...args],
    env,
  );
  const listening = await tool.waitFor("listening");
  return [tool, String(listening.url), listening];
}

async function stats(url: string): Promise<Record<string, unknown>> {
  return await (await fetch(`${url}stats`)).json();
}

/** The first state change to `to` after `after` in the tool's log. */
function stateAfter(tool: ToolProcess, to: string, after: LogLine): Promise<LogLine> {
  return tool.waitFor(
    "state",
    (e) => e.to === to && tool.events.indexOf(e) > tool.events.indexOf(after),
  );
}

Deno.test("a receiver with the sender's key, from a file or UDPCAM_KEY, gets sealed video", async () => {
  const dir = await Deno.makeTempDir();
  const keyFile = `${dir}/key`;
  await Deno.writeTextFile(keyFile, `${KEY}\n`);
  const port = freeUdpPort();
  const send = sender(port, ["--key-file", keyFile]);
  const listening = await send.waitFor("listening");
  assert.equal(listening.sealed, true);
  const [receive, url] = await receiver(port, [], { UDPCAM_KEY: KEY });
  try {
    await receive.waitFor("state", (e) => e.to === "live");
    const s = await stats(url);
    assert.equal(s.sealed, true);
    assert.equal(s.state, "live");
    assert.ok(Number(s.framesReceived) > 0);
    const snapshot = await fetch(`${url}snapshot.jpg`);
    assert.equal(snapshot.status, 200);
    const jpeg = new Uint8Array(await snapshot.arrayBuffer());
    assert.deepEqual([jpeg[0], jpeg[1]], [0xff, 0xd8]);
  } finally {
    await receive.stop();
    await send.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a receiver with a wrong key or none gets no frame, says why within 3 s, and keeps trying", async () => {
  const port = freeUdpPort();
  const send = sender(port, ["--key", KEY]);
  await send.waitFor("listening");
  const [wrong, wrongUrl, wrongListening] = await receiver(port, ["--key", WRONG]);
  const [none, noneUrl, noneListening] = await receiver(port, []);
  try {
    const refused = await wrong.waitFor("state", (e) => e.to === "refused", 3000);
    assert.match(String(refused.reason), /^wrong key or not a udpcam sender/);
    assert.ok(Date.parse(String(refused.time)) - Date.parse(String(wrongListening.time)) < 3000);
    const s = await stats(wrongUrl);
    assert.equal(s.state, "refused");
    assert.match(String(s.stateReason), /wrong key or not a udpcam sender/);
    assert.equal(s.framesReceived, 0);

    const needsKey = await none.waitFor("state", (e) => e.to === "refused", 3000);
    assert.match(String(needsKey.reason), /the sender needs a key/);
    assert.ok(Date.parse(String(needsKey.time)) - Date.parse(String(noneListening.time)) < 3000);
    assert.equal((await stats(noneUrl)).framesReceived, 0);

    // Both keep saying hello; the sender counts every attempt but logs each address once.
    const report = await send.waitFor(
      "stats",
      (e) => {
        const rejected = (e.stats as { rejected: Record<string, number> }).rejected;
        return rejected.wrongKey >= 3 && rejected.unsealed >= 3;
      },
      12_000,
    );
    assert.ok(report);
    const lines = send.events.filter((e) => e.event === "rejected");
    assert.equal(lines.length, 2, JSON.stringify(lines));
    assert.deepEqual(lines.map((e) => e.reason).sort(), ["no key", "wrong key"]);
    assert.equal((await stats(wrongUrl)).framesReceived, 0);
  } finally {
    await wrong.stop();
    await none.stop();
    await send.stop();
  }
});

Deno.test("a sender restarted with another key is reported at once, and its key back lets the receiver in", async () => {
  const port = freeUdpPort();
  let send = sender(port, ["--key", KEY]);
  await send.waitFor("listening");
  const [receive, url] = await receiver(port, ["--key", KEY]);
  try {
    const live = await receive.waitFor("state", (e) => e.to === "live");
    await send.stop("SIGKILL");
    send = sender(port, ["--key", WRONG]);
    const restarted = await send.waitFor("listening");
    const refused = await stateAfter(receive, "refused", live);
    assert.match(String(refused.reason), /wrong key or not a udpcam sender/);
    assert.ok(
      Date.parse(String(refused.time)) - Date.parse(String(restarted.time)) < 3000,
      "within 3 s of the new sender",
    );
    assert.equal((await stats(url)).state, "refused");

    await send.stop();
    send = sender(port, ["--key", KEY]);
    await stateAfter(receive, "live", refused);
    assert.equal((await stats(url)).state, "live");
  } finally {
    await receive.stop();
    await send.stop();
  }
});

Deno.test("a receiver with a key started against a running sender shows a frame within 150 ms of listening", async () => {
  const port = freeUdpPort();
  const send = sender(port, ["--key", KEY]);
  await send.waitFor("listening");
  // It asks for the sender's salt and stretches the key while it starts, not after.
  const [receive, , listening] = await receiver(port, ["--key", KEY]);
  try {
    const live = await receive.waitFor("state", (e) => e.to === "live");
    const wait = Date.parse(String(live.time)) - Date.parse(String(listening.time));
    assert.ok(wait <= 150, `the first frame came ${wait} ms after the receiver started listening`);
  } finally {
    await receive.stop();
    await send.stop();
  }
});

Deno.test("a receiver with a key is told at once that a sender without one has none", async () => {
  const port = freeUdpPort();
  const send = sender(port, []);
  await send.waitFor("listening");
  const [receive, url] = await receiver(port, ["--key", KEY]);
  try {
    const refused = await receive.waitFor("state", (e) => e.to === "refused", 3000);
    assert.match(String(refused.reason), /^the sender has no key/);
    assert.equal((await stats(url)).framesReceived, 0);
  } finally {
    await receive.stop();
    await send.stop();
  }
});

/** A socket that sends nothing once `mute` is set: a process killed before its goodbye. */
function muteable(socket: Deno.DatagramConn): { socket: Deno.DatagramConn; mute: () => void } {
  let muted = false;
  const wrapper = {
    get addr() {
      return socket.addr;
    },
    send: (data: Uint8Array, to: Deno.Addr) => muted ? Promise.resolve(0) : socket.send(data, to),
    receive: (buffer?: Uint8Array) => socket.receive(buffer),
    close: () => socket.close(),
  };
  return { socket: wrapper as unknown as Deno.DatagramConn, mute: () => muted = true };
}

Deno.test("a keyed receiver restarted at the same address joins again, with keys of its own", async () => {
  const bind = (port = 0) => Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
  const left: string[] = [];
  const udp = new UdpSender({
    socket: bind(),
    secret: await new StreamKey(KEY).stretch(StreamSecret.salt()),
    onEvent: (event) => {
      if (event.type === "receiver_left") left.push(event.reason);
    },
  });
  const sending = setInterval(() => {
    udp.send({ data: tinyJpeg(1), captureTime: Date.now() }).catch(() => {});
  }, 30);
  const key = new StreamKey(KEY);
  const live = async (receiver: UdpReceiver) => {
    const deadline = Date.now() + 5000;
    while (receiver.state !== "live") {
      assert.ok(Date.now() < deadline, `not live within 5 s: ${receiver.stateReason}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const old = muteable(bind());
  const first = new UdpReceiver({ socket: old.socket, sender: udp.addr, key });
  let second: UdpReceiver | undefined;
  try {
    await live(first);
    const { port } = first.addr;
    // Killed: no goodbye, so the sender still streams to the address.
    old.mute();
    await first.close();
    second = new UdpReceiver({ socket: bind(port), sender: udp.addr, key });
    await live(second);
    assert.deepEqual(left, ["replaced"], "the new receiver took the old one's place");
    assert.equal(udp.receivers, 1);
  } finally {
    clearInterval(sending);
    await second?.close();
    await udp.close();
  }
});

Deno.test("a sender without a key warns once when it listens beyond loopback", async () => {
  const open = new ToolProcess("sender", ["--listen", "0.0.0.0:0", ...TEST_SOURCE]);
  const sealed = new ToolProcess("sender", ["--listen", "0.0.0.0:0", ...TEST_SOURCE, "--key", KEY]);
  const local = new ToolProcess("sender", ["--listen", "127.0.0.1:0", ...TEST_SOURCE]);
  try {
    for (const tool of [open, sealed, local]) await tool.waitFor("listening");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const warnings = (tool: ToolProcess) => tool.events.filter((e) => e.event === "warning");
    assert.equal(warnings(open).length, 1);
    assert.match(
      String(warnings(open)[0].message),
      /^no key: anyone who can reach udp:\/\/0\.0\.0\.0:\d+ can watch this stream; .*--key/,
    );
    assert.deepEqual(warnings(sealed), []);
    assert.deepEqual(warnings(local), []);
  } finally {
    await Promise.all([open.stop(), sealed.stop(), local.stop()]);
  }
});

Deno.test("key flags: one clear line and exit code 2 for each mistake", async () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["sender", ["--key", ""], /--key is empty/],
    ["sender", ["--key", "x", "--key-file", "y"], /give the key once/],
    ["sender", ["--key-file", "/no/such/key/file"], /cannot read the key file .*no such file/],
    ["receiver", ["--key", "  "], /--key is empty/],
    ["receiver", ["--key-file", "/no/such/key/file"], /cannot read the key file/],
    // Deno refuses /dev/stdin to the tools as shipped (it takes --allow-all): say what to do instead.
    [
      "sender",
      ["--key-file", "/dev/stdin"],
      /^error: cannot read the key file \/dev\/stdin: the tools may not read under \/dev, \/proc or \/sys; use a regular file, or UDPCAM_KEY$/,
    ],
  ];
  for (const [tool, args, message] of cases) {
    const { code, stderr } = await runTool(tool as "sender" | "receiver", args);
    assert.equal(code, 2, `${tool} ${args.join(" ")}: ${stderr}`);
    assert.match(stderr.trim(), message);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
  }
});

/** A HELLO in the clear, as bytes: header, receiver id, time, then `nonce` in its padding. */
function helloBytes(nonce: Uint8Array): Uint8Array {
  const hello = new Uint8Array(32);
  const view = new DataView(hello.buffer);
  hello.set([0x55, 0x43, 1, 1]);
  view.setUint32(8, 7);
  view.setFloat64(12, Date.now());
  hello.set(nonce, 20);
  return hello;
}

Deno.test("a hello sealed with the key stretched once for every deployment gets no challenge", async () => {
  const port = freeUdpPort();
  const send = sender(port, ["--key", KEY]);
  await send.waitFor("listening");
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const hello = sealDatagram(helloBytes(new Uint8Array(12)), fixedSaltHelloKey(KEY), nonce);
    await socket.send(hello, to);
    const replies = await drain(socket);
    assert.ok(replies.length > 0, "the hello is answered");
    for (const reply of replies) {
      assert.notEqual(reply[3] & 0x7f, 2, "answered with a CHALLENGE: the key opened it");
    }
  } finally {
    socket.close();
    await send.stop();
  }
});

Deno.test("each sender run stretches the key with a salt of its own, and tells it to a hello", async () => {
  const salts: string[] = [];
  for (let run = 0; run < 2; run++) {
    const port = freeUdpPort();
    const send = sender(port, ["--key", KEY]);
    await send.waitFor("listening");
    const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const nonce = crypto.getRandomValues(new Uint8Array(12));
      await socket.send(helloBytes(nonce), { transport: "udp", hostname: "127.0.0.1", port });
      const [reply] = await drain(socket);
      assert.ok(reply !== undefined && reply[3] === 10 && reply[8] === 1, "a key is needed");
      assert.ok(reply.length >= 40, `the ${reply.length}-byte refusal names no salt`);
      assert.deepEqual(reply.subarray(12, 24), nonce, "it answers this hello");
      salts.push(reply.subarray(24, 40).join(","));
    } finally {
      socket.close();
      await send.stop();
    }
  }
  assert.notEqual(salts[0], salts[1]);
});

Deno.test("a station joins cameras of different keys, from --keys by name or address, and --key for the rest", async () => {
  const dir = await Deno.makeTempDir();
  const ports = [freeUdpPort(), freeUdpPort(), freeUdpPort()];
  const senders = [
    sender(ports[0], ["--key", KEY]),
    sender(ports[1], ["--key", WRONG]),
    sender(ports[2], ["--key", "a third secret, for the yard only"]),
  ];
  await Deno.writeTextFile(
    `${dir}/keys`,
    `# the cameras whose key is not --key's\ngate ${WRONG}\n127.0.0.1:${
      ports[2]
    } a third secret, for the yard only\n`,
  );
  let station: ToolProcess | undefined;
  try {
    for (const send of senders) await send.waitFor("listening");
    station = new ToolProcess("receiver", [
      `door=127.0.0.1:${ports[0]}`,
      `gate=127.0.0.1:${ports[1]}`,
      `yard=127.0.0.1:${ports[2]}`,
      "--key",
      KEY,
      "--keys",
      `${dir}/keys`,
      "--http",
      "127.0.0.1:0",
    ]);
    const url = String((await station.waitFor("listening")).url);
    for (const camera of ["door", "gate", "yard"]) {
      await station.waitFor("state", (e) => e.camera === camera && e.to === "live");
    }
    const s = await stats(url);
    const cameras = s.cameras as Array<{ name: string; sealed: boolean; framesReceived: number }>;
    assert.deepEqual(cameras.map((c) => [c.name, c.sealed, c.framesReceived > 0]), [
      ["door", true, true],
      ["gate", true, true],
      ["yard", true, true],
    ]);
  } finally {
    await station?.stop();
    for (const send of senders) await send.stop();
  }
  // A camera whose key is wrong, and not in the file, is refused, the others not.
  const wrong = new ToolProcess("receiver", [
    `door=127.0.0.1:${ports[0]}`,
    `gate=127.0.0.1:${ports[1]}`,
    "--key",
    KEY,
    "--http",
    "127.0.0.1:0",
  ]);
  const again = [sender(ports[0], ["--key", KEY]), sender(ports[1], ["--key", WRONG])];
  try {
    await wrong.waitFor("state", (e) => e.camera === "door" && e.to === "live");
    await wrong.waitFor("state", (e) => e.camera === "gate" && e.to === "refused");
  } finally {
    await wrong.stop();
    for (const send of again) await send.stop();
  }
});

Deno.test("a receiver of one sender takes its key from --keys too, before --key's", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeUdpPort();
  await Deno.writeTextFile(`${dir}/keys`, `127.0.0.1:${port} ${WRONG}\n`);
  const send = sender(port, ["--key", WRONG]);
  let receive: ToolProcess | undefined;
  try {
    await send.waitFor("listening");
    [receive] = await receiver(port, ["--key", KEY, "--keys", `${dir}/keys`]);
    await receive.waitFor("state", (e) => e.to === "live");
  } finally {
    await receive?.stop();
    await send.stop();
  }
});
