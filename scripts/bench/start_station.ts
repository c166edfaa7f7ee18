import { wallClock } from "../../lib/util/clock.ts";
import { freeUdpPort, type LogLine, ToolProcess } from "../../tests/_tool.ts";
import { stopTool } from "./stop_tool.ts";
import { startViewer, type Viewer } from "./viewer.ts";
import { waitListening } from "./wait_listening.ts";

/** Options for {@linkcode startStation}. */
export interface StartStationOptions {
  /**
   * How many senders. One is joined as today's receiver of one sender is
   * (`receiver 127.0.0.1:PORT`); more as a station of named cameras,
   * `cam1=127.0.0.1:PORT cam2=...`.
   */
  cameras: number;
  /** Each sender's arguments; `--listen` is added. */
  senderArgs: readonly string[];
  /** Seconds the viewer reads the first camera's MJPEG stream for, at most. */
  viewerSeconds: number;
  /** When the tools are started, on this process's {@linkcode wallClock} (ms). @default now */
  startedAt?: number;
  /** Called with the receiver's preview address (ending in `/`) as soon as it listens. */
  onListening?: (url: string) => void;
  /** Aborts the start; whatever was started is stopped. */
  signal: AbortSignal;
}

/** Senders and one receiver of them all, started at the same moment, and a viewer. */
export interface BenchStation {
  senders: ToolProcess[];
  receiver: ToolProcess;
  /** The receiver's preview address, ending in `/`. */
  url: string;
  /** When the tools were spawned, on this process's {@linkcode wallClock} (ms). */
  startedAt: number;
  /** The receiver's `listening` event, and when this process saw it ({@linkcode wallClock}). */
  receiverListening: { line: LogLine; at: number };
  /** When the last sender said it was listening (at its first frame), {@linkcode wallClock}. */
  sendersListeningAt: number;
  /** What the viewer reads: `stream.mjpg`, or the first camera's `cam/cam1/stream.mjpg`. */
  viewerPath: string;
  /** The HTTP viewer, started as soon as the receiver said where its preview is. */
  viewer: Viewer;
  /** Stops the receiver, then the senders, and waits for the viewer to end; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `cameras` senders on free UDP ports of 127.0.0.1 and a receiver of
 * them all at the same moment, a cold start with nothing warmed up, and an
 * HTTP viewer of the first camera's MJPEG stream as soon as the receiver's
 * preview is known. Resolves once every sender has listened too; everything
 * started is stopped if it throws.
 */
export async function startStation(options: StartStationOptions): Promise<BenchStation> {
  const { cameras, signal } = options;
  const ports = Array.from({ length: cameras }, () => freeUdpPort());
  const startedAt = options.startedAt ?? wallClock();
  const senders: ToolProcess[] = [];
  let receiver: ToolProcess | undefined;
  let viewer: Viewer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      // The receiver first, so that it says goodbye to senders still there.
      if (receiver !== undefined) await stopTool(receiver);
      await Promise.all(senders.map(stopTool));
      await viewer?.done;
    })();
  // Today's path for one sender; the first camera's own page's for a station.
  const viewerPage = cameras === 1 ? "" : "cam/cam1/";
  try {
    for (const port of ports) {
      const args = [...options.senderArgs, "--listen", `127.0.0.1:${port}`];
      senders.push(new ToolProcess("sender", args));
    }
    const joined = cameras === 1
      ? [`127.0.0.1:${ports[0]}`]
      : ports.map((port, i) => `cam${i + 1}=127.0.0.1:${port}`);
    receiver = new ToolProcess("receiver", [...joined, "--http", "127.0.0.1:0"]);
    const [receiverListening, sendersListening] = await Promise.all([
      waitListening(receiver, { tool: "receiver", signal }).then((line) => {
        const at = wallClock();
        viewer = startViewer(`${line.url}${viewerPage}`, options.viewerSeconds * 1000);
        options.onListening?.(String(line.url));
        return { line, at };
      }),
      Promise.all(
        senders.map((sender) =>
          waitListening(sender, { tool: "sender", signal }).then(() => wallClock())
        ),
      ),
    ]);
    return {
      senders,
      receiver,
      url: String(receiverListening.line.url),
      startedAt,
      receiverListening,
      sendersListeningAt: Math.max(...sendersListening),
      viewerPath: `${viewerPage}stream.mjpg`,
      viewer: viewer!,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
