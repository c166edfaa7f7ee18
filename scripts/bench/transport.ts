/**
 * The transport part: what carrying a frame costs udpcam's sender and
 * receiver in CPU, beside GStreamer's RTP/JPEG carrying the same clip at the
 * same MTU on the same machine, in one run, clear and sealed.
 *
 * @module
 */
import { freeUdpPort, ToolProcess } from "../../tests/_tool.ts";
import { runArgs } from "../permissions.ts";
import { delay } from "./abortable.ts";
import type { BenchClip } from "./bench_clip.ts";
import { cpuTimeMs } from "./cpu_time.ts";
import {
  countGstFrames,
  GST_LAUNCH,
  gstReceiverArgs,
  gstSenderArgs,
  srtpKeyHex,
} from "./gstreamer.ts";
import { receiverStats } from "./receiver_stats.ts";
import { stopTool } from "./stop_tool.ts";
import { waitListening } from "./wait_listening.ts";

/** Which transport a row measured. */
export type Transport =
  | "gstreamer"
  | "gstreamer-srtp"
  | "udpcam"
  | "udpcam-key"
  | "floor-burst"
  | "floor-paced";

/** The rows, in the order they run. */
export const TRANSPORTS: readonly Transport[] = [
  "gstreamer",
  "floor-burst",
  "floor-paced",
  "udpcam",
  "gstreamer-srtp",
  "udpcam-key",
];

/** One transport's figures over the measured window. */
export interface TransportResult {
  transport: Transport;
  /** Frames the receiver completed in the window. */
  frames: number;
  /** Of the window's length. */
  fps: number;
  senderMsPerFrame: number;
  receiverMsPerFrame: number;
  totalMsPerFrame: number;
}

/** Options for {@linkcode measureTransports}. */
export interface TransportOptions {
  /** Seconds measured, after `warmupSeconds`. */
  seconds: number;
  warmupSeconds: number;
  ticksPerSecond: number;
  /** The key of udpcam's sealed row. */
  key: string;
  signal: AbortSignal;
  progress: (message: string) => void;
}

/** Two running processes, and how to read what they have done. */
interface RunningPair {
  pids: { sender: number; receiver: number };
  /** Frames the receiver has completed so far. */
  frames(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Measures each transport in turn on `clip` (`longClip`, the same frames
 * played end to end for GStreamer, which does not loop a file): starts its
 * sender and receiver, lets them stream `warmupSeconds`, then counts the CPU
 * both used and the frames completed over `seconds`.
 */
export async function measureTransports(
  clip: BenchClip,
  longClip: string,
  options: TransportOptions,
): Promise<TransportResult[]> {
  const results: TransportResult[] = [];
  for (const transport of TRANSPORTS) {
    options.progress(`${transport}: ${options.seconds} s after ${options.warmupSeconds} s`);
    const pair = transport.startsWith("gstreamer")
      ? startGstreamer(longClip, transport === "gstreamer-srtp" ? srtpKeyHex() : undefined)
      : transport.startsWith("floor")
      ? await startFloor(clip, transport === "floor-burst" ? "burst" : "paced")
      : await startUdpcam(clip.path, transport === "udpcam-key" ? options.key : undefined, options);
    try {
      results.push(await measure(transport, pair, options));
    } finally {
      await pair.stop();
    }
  }
  return results;
}

async function measure(
  transport: Transport,
  pair: RunningPair,
  options: TransportOptions,
): Promise<TransportResult> {
  const { seconds, warmupSeconds, ticksPerSecond, signal } = options;
  await delay(warmupSeconds * 1000, signal);
  const cpu = () => ({
    sender: cpuTimeMs(pair.pids.sender, ticksPerSecond),
    receiver: cpuTimeMs(pair.pids.receiver, ticksPerSecond),
  });
  const start = { cpu: cpu(), frames: await pair.frames() };
  await delay(seconds * 1000, signal);
  const end = { cpu: cpu(), frames: await pair.frames() };
  const frames = end.frames - start.frames;
  if (frames <= 0) throw new Error(`${transport}: no frame came in ${seconds} s`);
  const sender = (end.cpu.sender - start.cpu.sender) / frames;
  const receiver = (end.cpu.receiver - start.cpu.receiver) / frames;
  return {
    transport,
    frames,
    fps: frames / seconds,
    senderMsPerFrame: sender,
    receiverMsPerFrame: receiver,
    totalMsPerFrame: sender + receiver,
  };
}

/** GStreamer's receiver, then its sender, on a free port; frames counted from the receiver's log. */
function startGstreamer(clip: string, srtpKey: string | undefined): RunningPair {
  const port = freeUdpPort();
  const spawn = (args: string[], stdout: "piped" | "null") =>
    new Deno.Command(GST_LAUNCH, { args, stdout, stderr: "null" }).spawn();
  const receiver = spawn(gstReceiverArgs(port, srtpKey), "piped");
  const count = countGstFrames(receiver.stdout);
  let sender: Deno.ChildProcess;
  try {
    sender = spawn(gstSenderArgs(clip, port, srtpKey), "null");
  } catch (error) {
    receiver.kill("SIGKILL");
    throw error;
  }
  return {
    pids: { sender: sender.pid, receiver: receiver.pid },
    frames: () => Promise.resolve(count.frames),
    stop: async () => {
      await stopInTurn([sender, receiver]);
      await count.done;
    },
  };
}

/**
 * The least any Deno sender and receiver do to carry the clip
 * (`floor_sender.ts`, `floor_receiver.ts`), with the tools' permissions and
 * runtime flags; frames counted as the bytes taken in over the clip's mean frame.
 */
async function startFloor(clip: BenchClip, mode: "burst" | "paced"): Promise<RunningPair> {
  const port = freeUdpPort();
  const script = (name: string) => new URL(`./${name}`, import.meta.url).pathname;
  const spawn = (tool: "sender" | "receiver", args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: [...runArgs(tool), ...args],
      stdout: tool === "receiver" ? "piped" : "null",
      stderr: "inherit",
    }).spawn();
  const receiver = spawn("receiver", [script("floor_receiver.ts"), String(port)]);
  let bytes = 0;
  const lines = receiver.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const first = await lines.read(); // "listening"
  if (first.done) throw new Error("the floor receiver ended before it listened");
  const reading = (async () => {
    let partial = "";
    while (true) {
      const { value, done } = await lines.read();
      if (done) return;
      const split = (partial + value).split("\n");
      partial = split.pop() ?? "";
      const last = split.at(-1);
      if (last !== undefined) bytes = Number(last);
    }
  })();
  const sender = spawn("sender", [script("floor_sender.ts"), clip.path, `127.0.0.1:${port}`, mode]);
  return {
    pids: { sender: sender.pid, receiver: receiver.pid },
    frames: () => Promise.resolve(Math.floor(bytes / clip.meanFrameBytes)),
    stop: async () => {
      await stopInTurn([sender, receiver]);
      await reading.catch(() => {});
    },
  };
}

/** Stops each child in turn (SIGTERM), waiting for it to end. */
async function stopInTurn(children: Deno.ChildProcess[]): Promise<void> {
  for (const child of children) {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await child.status;
  }
}

/** udpcam's sender (the clip on a loop, passed through) and a receiver of it; no HTTP viewer. */
async function startUdpcam(
  clip: string,
  key: string | undefined,
  options: TransportOptions,
): Promise<RunningPair> {
  const port = freeUdpPort();
  const keyArgs = key === undefined ? [] : ["--key", key];
  const sender = new ToolProcess("sender", [
    "--source",
    clip,
    "--loop",
    "--copy",
    "--adapt",
    "off",
    "--listen",
    `127.0.0.1:${port}`,
    ...keyArgs,
  ]);
  const receiver = new ToolProcess("receiver", [
    `127.0.0.1:${port}`,
    "--http",
    "127.0.0.1:0",
    ...keyArgs,
  ]);
  const stop = async () => {
    await stopTool(receiver);
    await stopTool(sender);
  };
  try {
    const [line] = await Promise.all([
      waitListening(receiver, { tool: "receiver", signal: options.signal }),
      waitListening(sender, { tool: "sender", signal: options.signal }),
    ]);
    const url = String(line.url);
    return {
      pids: { sender: sender.child.pid, receiver: receiver.child.pid },
      frames: async () => (await receiverStats(url)).framesReceived,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
