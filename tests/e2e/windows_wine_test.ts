/**
 * The sender and the receiver as the Windows build of Deno runs them: deno.exe
 * under Wine, with the permissions the Windows executables embed, streaming
 * to and from the Linux tools. `source scripts/setup.sh all` sets Wine up;
 * where it did not, every test here fails and says so. Wine is not Windows
 * (no DirectShow camera, its own UDP stack): docs/DESIGN.md's "Windows in
 * the gate, under Wine" says what this proves and what it does not.
 */
import assert from "node:assert/strict";
import {
  freeUdpPort,
  type LogLine,
  runTool,
  startReceiver,
  streamed,
  type Tool,
  ToolProcess,
} from "../_tool.ts";
import { makeMp4 } from "../_media.ts";
import {
  runWindowsTool,
  startWine,
  stopWine,
  WINDOWS_DENO,
  WINDOWS_FFMPEG,
  windowsPath,
  WINE_ENV,
  wineCommand,
  winePids,
} from "../_wine.ts";

/** Wine takes seconds to start a process; these wait that much longer than the Linux tests. */
const START_MS = 60_000;
const KEY = "a shared secret for the tests, long enough";
const decoder = new TextDecoder();

let started: Promise<void> | undefined;
/** Starts Wine once for this file; every test fails with the reason if it cannot. */
function wine(): Promise<void> {
  started ??= startWine();
  return started;
}

/** Starts `tool` with deno.exe under Wine, and waits for it to listen. */
async function startWindows(tool: Tool, args: string[]): Promise<[ToolProcess, LogLine]> {
  const windows = new ToolProcess(tool, args, undefined, [], wineCommand);
  try {
    return [windows, await windows.waitFor("listening", () => true, START_MS)];
  } catch (error) {
    await windows.stop("SIGKILL");
    throw error;
  }
}

/** Starts the Windows sender on 127.0.0.1 with `args`; resolves with it and its port. */
async function startWindowsSender(args: string[]): Promise<[ToolProcess, number]> {
  const [sender, listening] = await startWindows("sender", ["--listen", "127.0.0.1:0", ...args]);
  return [sender, Number(String(listening.address).split(":").at(-1))];
}

async function stats(url: string): Promise<Record<string, unknown>> {
  return await (await fetch(`${url}stats`)).json();
}

async function stopAll(...tools: Array<ToolProcess | undefined>): Promise<void> {
  for (const tool of tools) await tool?.stop("SIGKILL");
}

/** Runs `fn` with a temporary folder, then removes it. */
async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-wine-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function assertOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
}

Deno.test("under Wine, deno.exe is the Windows build of this Deno and runs both tools", async () => {
  await wine();
  const { code, stdout, stderr } = await new Deno.Command("wine", {
    args: [WINDOWS_DENO, "--version"],
    env: { ...WINE_ENV },
  }).output();
  assert.equal(code, 0, decoder.decode(stderr));
  assert.match(
    decoder.decode(stdout),
    new RegExp(`^deno ${Deno.version.deno.replaceAll(".", "\\.")} .*x86_64-pc-windows-msvc`),
  );
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  for (const tool of ["sender", "receiver"] as const) {
    const run = await runWindowsTool(tool, ["--version"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), `udpcam ${tool} ${config.version}`);
  }
});

Deno.test("under Wine the sender's test pattern streams to a Linux receiver, and Ctrl+C says goodbye", async () => {
  await wine();
  const [sender, port] = await startWindowsSender(["--source", "test"]);
  let receiver: ToolProcess | undefined;
  try {
    let url: string;
    [receiver, url] = await startReceiver(port);
    await receiver.waitFor("state", (e) => e.to === "live", START_MS);
    const { fps, frames } = await streamed(url, 3000);
    assert.ok(fps >= 25, `${fps} fps`);
    assert.ok(frames >= 60, `${frames} frames`);
    // Wine turns SIGINT into the console's Ctrl+C event, which Deno's SIGINT listener gets.
    const status = await sender.stop("SIGINT");
    assert.equal(status.code, 0, sender.stderr);
    assert.ok(sender.events.some((e) => e.event === "stopped"), "the sender logs its stop");
    await receiver.waitFor(
      "state",
      (e) => e.to === "waiting" && e.reason === "sender said goodbye",
    );
  } finally {
    await stopAll(receiver, sender);
  }
});

Deno.test("under Wine the sender streams a file through the Windows ffmpeg 4.1", async () => {
  await wine();
  await withDir(async (dir) => {
    // An H.264 MP4 as a phone saves one, made by this machine's ffmpeg.
    const clip = `${dir}/clip.mp4`;
    await makeMp4(clip);
    const [sender, port] = await startWindowsSender([
      ...["--source", windowsPath(clip), "--loop", "--ffmpeg", windowsPath(WINDOWS_FFMPEG)],
    ]);
    let receiver: ToolProcess | undefined;
    try {
      const source = await sender.waitFor("source_started", () => true, START_MS);
      assert.match(String(source.detail), /640x360/);
      let url: string;
      [receiver, url] = await startReceiver(port);
      await receiver.waitFor("state", (e) => e.to === "live", START_MS);
      const { fps, frames } = await streamed(url, 3000);
      assert.ok(fps >= 25, `${fps} fps`);
      assert.ok(frames >= 60, `${frames} frames`);
      const status = await sender.stop("SIGINT");
      assert.equal(status.code, 0, sender.stderr);
      await receiver.waitFor(
        "state",
        (e) => e.to === "waiting" && e.reason === "sender said goodbye",
      );
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && (await ffmpegExes()).length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(await ffmpegExes(), [], "no ffmpeg.exe is left running");
    } finally {
      await stopAll(receiver, sender);
    }
  });
});

/** The pids of the prefix's ffmpeg.exe processes. */
async function ffmpegExes(): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await winePids()) {
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (/ffmpeg\.exe/i.test(cmdline)) found.push(pid);
  }
  return found;
}

Deno.test("under Wine a sealed stream with the key in a Windows path reaches a Linux receiver", async () => {
  await wine();
  await withDir(async (dir) => {
    // As Notepad saves it, and both read it: the Windows sender by its Windows path.
    await Deno.writeTextFile(`${dir}/key.txt`, `${KEY}\r\n`);
    const [sender, port] = await startWindowsSender([
      ...["--source", "test", "--fps", "15", "--key-file", windowsPath(`${dir}/key.txt`)],
    ]);
    let receiver: ToolProcess | undefined;
    try {
      let url: string;
      [receiver, url] = await startReceiver(port, ["--key-file", `${dir}/key.txt`]);
      await receiver.waitFor("state", (e) => e.to === "live", START_MS);
      const s = await stats(url);
      assert.equal(s.sealed, true);
      assert.equal(s.state, "live");
    } finally {
      await stopAll(receiver, sender);
    }
  });
});

Deno.test("under Wine the receiver joins a Linux sender, serves its preview and says goodbye", async () => {
  await wine();
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/key.txt`, `${KEY}\n`);
    const port = freeUdpPort();
    const sender = new ToolProcess("sender", [
      ...["--listen", `127.0.0.1:${port}`, "--source", "test", "--fps", "15"],
      ...["--key-file", `${dir}/key.txt`],
    ]);
    let receiver: ToolProcess | undefined;
    try {
      await sender.waitFor("listening");
      let listening: LogLine;
      [receiver, listening] = await startWindows("receiver", [
        ...[`127.0.0.1:${port}`, "--http", "127.0.0.1:0"],
        ...["--key-file", windowsPath(`${dir}/key.txt`)],
      ]);
      const url = String(listening.url);
      await receiver.waitFor("state", (e) => e.to === "live", START_MS);
      const snapshot = await fetch(`${url}snapshot.jpg`);
      assert.equal(snapshot.status, 200);
      const jpeg = new Uint8Array(await snapshot.arrayBuffer());
      assert.deepEqual([jpeg[0], jpeg[1]], [0xff, 0xd8]);
      assert.equal((await stats(url)).sealed, true);
      const status = await receiver.stop("SIGINT");
      assert.equal(status.code, 0, receiver.stderr);
      await sender.waitFor("receiver_left", (e) => e.reason === "bye");
    } finally {
      await stopAll(receiver, sender);
    }
  });
});

Deno.test("under Wine --list-cameras with the Windows ffmpeg finds none and exits 0", async () => {
  await wine();
  const { code, stdout, stderr } = await runWindowsTool("sender", [
    ...["--list-cameras", "--ffmpeg", windowsPath(WINDOWS_FFMPEG)],
  ]);
  assert.equal(
    code,
    0,
    `exit ${code}; stdout ${JSON.stringify(stdout)}; stderr ${JSON.stringify(stderr)}`,
  );
  assert.equal(stdout.trim(), "No camera found.");
  assert.equal(stderr, "");
});

Deno.test("under Wine the sender's errors are one line, with the Linux sender's exit codes", async () => {
  await wine();
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const busy = String((socket.addr as Deno.NetAddr).port);
  const ffmpeg = windowsPath(WINDOWS_FFMPEG);
  // Name, the Windows run's arguments, the Linux run's, the exit code, what both say.
  const cases: Array<[string, string[], string[], number, RegExp]> = [
    [
      "a file that does not exist",
      ["--source", "C:\\Videos\\a.mp4", "--ffmpeg", ffmpeg],
      ["--source", "/nonexistent/Videos/a.mp4"],
      1,
      /a\.mp4.*No such file or directory/,
    ],
    ["a bad flag", ["--quality", "101"], ["--quality", "101"], 2, /--quality needs a whole/],
    [
      "an ffmpeg that is not there",
      ["--source", "camera", "--ffmpeg", "C:\\nonexistent\\ffmpeg.exe"],
      ["--source", "camera", "--ffmpeg", "/nonexistent/ffmpeg"],
      3,
      /ffmpeg not found/,
    ],
    [
      "a port in use",
      ["--source", "test", "--listen", `127.0.0.1:${busy}`],
      ["--source", "test", "--listen", `127.0.0.1:${busy}`],
      4,
      new RegExp(`UDP 127\\.0\\.0\\.1:${busy} is already in use`),
    ],
  ];
  try {
    for (const [name, windowsArgs, linuxArgs, code, pattern] of cases) {
      const listen = windowsArgs.includes("--listen") ? [] : ["--listen", "127.0.0.1:0"];
      const [windows, linux] = await Promise.all([
        runTool("sender", [...windowsArgs, ...listen], undefined, wineCommand),
        runTool("sender", [...linuxArgs, ...listen]),
      ]);
      assert.equal(linux.code, code, `Linux, ${name}: ${linux.stderr}`);
      assert.equal(windows.code, code, `Windows, ${name}: ${windows.stderr}`);
      assertOneLineError(linux.stderr, pattern);
      assertOneLineError(windows.stderr, pattern);
    }
  } finally {
    socket.close();
  }
});

Deno.test("Wine leaves no process behind", async () => {
  await wine().catch(() => {});
  await stopWine();
  // Killed processes take a moment to be gone.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && (await winePids()).length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const left = await Promise.all((await winePids()).map(async (pid) => {
    const name = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    return `${pid} ${name.replaceAll("\0", " ").trim()}`;
  }));
  assert.deepEqual(left, [], "processes of the Wine prefix still run");
});
