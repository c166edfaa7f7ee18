import assert from "node:assert/strict";
import { freeUdpPort, type LogLine, runTool, ToolProcess } from "./_tool.ts";

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
