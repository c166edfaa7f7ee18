/**
 * The release's smoke test, as a person would try the tools: each says its
 * version; a sender on the built-in test pattern and a receiver of it, both on
 * loopback, stream; the receiver's preview counts frames in `/stats` and
 * serves a JPEG at `/snapshot.jpg`; both stop when told.
 *
 *   deno task smoke                                    the entrypoints, with `deno run`
 *   deno task smoke --sender PATH --receiver PATH      executables from `deno task compile`
 *
 * Prints a line for each step; the first that fails ends it with one
 * `error: ...` line and exit code 1. It needs no ffmpeg and no camera.
 *
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { withTimeout } from "../lib/util/with_timeout.ts";
import { runTool, type Tool, type ToolCommand, ToolProcess } from "../tests/_tool.ts";

/** How long a tool gets to start, and the stream to bring the frames. */
const START_TIMEOUT_MS = 30_000;

/** Frames the receiver must have had before the snapshot is taken. */
const FRAMES = 5;

/** How long a tool gets to exit once told to stop. */
const STOP_TIMEOUT_MS = 10_000;

/** A failed step. */
class SmokeError extends Error {
  /** Says which step failed, and how. */
  constructor(message: string) {
    super(message);
    this.name = "SmokeError";
  }
}

/** Runs the executables at `paths` instead of the entrypoints. */
function executables(paths: Record<Tool, string>): ToolCommand {
  return (tool, args, env) =>
    new Deno.Command(paths[tool], {
      args,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
}

/** Checks that `tool --version` prints `udpcam TOOL VERSION` and exits 0. */
async function checkVersion(tool: Tool, version: string, launch?: ToolCommand): Promise<void> {
  const { code, stdout, stderr } = await runTool(tool, ["--version"], undefined, launch);
  const said = stdout.trim();
  if (code !== 0 || said !== `udpcam ${tool} ${version}`) {
    throw new SmokeError(
      `${tool} --version printed "${said}" with exit code ${code}, not "udpcam ${tool} ` +
        `${version}"${stderr.trim() ? `: ${stderr.trim()}` : ""}`,
    );
  }
  console.log(`smoke: ${said}`);
}

/** Resolves with `running`'s `listening` event, or throws once it exits or the time is up. */
async function listening(tool: Tool, running: ToolProcess): Promise<Record<string, unknown>> {
  const exited = running.child.status.then(async (status) => {
    await running.stop(); // to the end of its output
    throw new SmokeError(
      `the ${tool} exited with code ${status.code} before listening: ${running.stderr.trim()}`,
    );
  });
  return await Promise.race([running.waitFor("listening", undefined, START_TIMEOUT_MS), exited]);
}

/** Waits until the preview at `url` has had {@linkcode FRAMES} frames; resolves with how many. */
async function waitFrames(url: string): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let frames = 0;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}stats`);
    if (!response.ok) throw new SmokeError(`/stats answered ${response.status}`);
    frames = Number((await response.json()).framesReceived);
    if (frames >= FRAMES) return frames;
    await new Promise((wake) => setTimeout(wake, 250));
  }
  throw new SmokeError(`/stats counted ${frames} frames in ${START_TIMEOUT_MS / 1000} s`);
}

/** Fetches `/snapshot.jpg` and checks it is a whole JPEG; resolves with its width and height. */
async function checkSnapshot(url: string): Promise<string> {
  const response = await fetch(`${url}snapshot.jpg`);
  const type = response.headers.get("content-type");
  const jpeg = new Uint8Array(await response.arrayBuffer());
  if (response.status !== 200 || type !== "image/jpeg") {
    throw new SmokeError(`/snapshot.jpg answered ${response.status} with ${type}`);
  }
  const whole = jpeg[0] === 0xff && jpeg[1] === 0xd8 && jpeg.at(-2) === 0xff &&
    jpeg.at(-1) === 0xd9;
  const size = jpegSize(jpeg);
  if (!whole || size === undefined) {
    throw new SmokeError(`/snapshot.jpg is not a whole JPEG (${jpeg.length} bytes)`);
  }
  return `${size} JPEG, ${jpeg.length} bytes`;
}

/** A JPEG's `WIDTHxHEIGHT`, from its first start-of-frame segment. */
function jpegSize(jpeg: Uint8Array): string | undefined {
  const view = new DataView(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  let at = 2;
  while (at + 9 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1];
    // SOF0 to SOF15, less DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return `${view.getUint16(at + 7)}x${view.getUint16(at + 5)}`;
    }
    at += 2 + view.getUint16(at + 2);
  }
  return undefined;
}

/**
 * Stops `running` and checks that it exits in time, with exit code 0 where it
 * can be asked to stop: Windows has no SIGTERM, and Deno ends the process there.
 */
async function stop(tool: Tool, running: ToolProcess): Promise<number> {
  const windows = Deno.build.os === "windows";
  const status = await withTimeout(running.stop(windows ? "SIGKILL" : "SIGTERM"), STOP_TIMEOUT_MS);
  if (status === undefined) {
    await running.stop("SIGKILL");
    throw new SmokeError(`the ${tool} did not stop within ${STOP_TIMEOUT_MS / 1000} s`);
  }
  if (!windows && status.code !== 0) {
    throw new SmokeError(`the ${tool} exited with code ${status.code}: ${running.stderr.trim()}`);
  }
  return status.code;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { sender: { type: "string" }, receiver: { type: "string" } },
  });
  if ((values.sender === undefined) !== (values.receiver === undefined)) {
    throw new SmokeError("give both --sender and --receiver, or neither");
  }
  const launch = values.sender !== undefined && values.receiver !== undefined
    ? executables({ sender: resolve(values.sender), receiver: resolve(values.receiver) })
    : undefined;
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  await checkVersion("sender", config.version, launch);
  await checkVersion("receiver", config.version, launch);

  const running: Array<[Tool, ToolProcess]> = [];
  try {
    const sender = new ToolProcess(
      "sender",
      ["--source", "test", "--listen", "127.0.0.1:0"],
      {},
      [],
      launch,
    );
    running.push(["sender", sender]);
    const address = String((await listening("sender", sender)).address);
    console.log(`smoke: sender on the test pattern, listening on ${address}`);
    const port = address.split(":").at(-1);
    const receiver = new ToolProcess(
      "receiver",
      [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"],
      {},
      [],
      launch,
    );
    running.unshift(["receiver", receiver]);
    const url = String((await listening("receiver", receiver)).url);
    console.log(`smoke: receiver's preview at ${url}`);
    console.log(`smoke: /stats: ${await waitFrames(url)} frames received`);
    console.log(`smoke: /snapshot.jpg: ${await checkSnapshot(url)}`);
    const codes = [];
    while (running.length > 0) {
      const [tool, child] = running.shift()!;
      codes.push(await stop(tool, child));
    }
    console.log(`smoke: receiver and sender stopped (exit codes ${codes.join(", ")})`);
  } finally {
    for (const [, child] of running) await child.stop("SIGKILL");
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
