import { wallClock } from "../../lib/util/clock.ts";
import { freeUdpPort, ToolProcess } from "../../tests/_tool.ts";
import { ImpairRelay } from "../impair/impair_relay.ts";
import type { LinkProfile } from "../impair/link_profile.ts";
import { stopTool } from "./stop_tool.ts";
import { startViewer, type Viewer } from "./viewer.ts";
import { waitListening } from "./wait_listening.ts";

/** Options for {@linkcode startPair}. */
export interface StartPairOptions {
  /** The sender's arguments; `--listen` is added. */
  senderArgs: readonly string[];
  /** The receiver's arguments after its sender; `--http` is added. @default {[]} */
  receiverArgs?: readonly string[];
  /** An impairment relay between the two, with this profile both ways. @default none, direct */
  relay?: { profile: LinkProfile; seed: number };
  /** Seconds the viewer reads `/stream.mjpg` for, at most. */
  viewerSeconds: number;
  /** Aborts the start; whatever was started is stopped. */
  signal: AbortSignal;
}

/** A sender and a receiver started at the same moment, and a viewer of the receiver. */
export interface Pair {
  sender: ToolProcess;
  receiver: ToolProcess;
  /** The relay between them, if one was asked for. */
  relay: ImpairRelay | undefined;
  /** The receiver's preview address, ending in `/`. */
  url: string;
  /** When both tools were spawned, on this process's {@linkcode wallClock} (ms). */
  startedAt: number;
  /** The sender's `listening` event (at its first frame). */
  senderListening: Record<string, unknown>;
  /** The HTTP viewer, started as soon as the receiver said where its preview is. */
  viewer: Viewer;
  /**
   * Stops the receiver (so that it says goodbye), then the sender, closes the
   * relay and waits for the viewer to end; calling it again waits for the same.
   */
  stop(): Promise<void>;
}

/**
 * Starts a sender on a free UDP port and a receiver of it (through a relay,
 * if asked) at the same moment, a cold start with nothing warmed up, and an
 * HTTP viewer as soon as the receiver's preview is known. Resolves once the
 * sender has listened too; everything started is stopped if it throws.
 */
export async function startPair(options: StartPairOptions): Promise<Pair> {
  const { signal } = options;
  const port = freeUdpPort();
  const relay = options.relay === undefined ? undefined : new ImpairRelay({
    listen: { hostname: "127.0.0.1", port: 0 },
    target: { hostname: "127.0.0.1", port },
    seed: options.relay.seed,
    up: options.relay.profile,
    down: options.relay.profile,
  });
  const startedAt = wallClock();
  const tools: ToolProcess[] = [];
  let viewer: Viewer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      // The receiver first, so that it says goodbye to a sender still there.
      for (const tool of tools.toReversed()) await stopTool(tool);
      await relay?.close();
      await viewer?.done;
    })();
  try {
    const sender = new ToolProcess("sender", [
      ...options.senderArgs,
      "--listen",
      `127.0.0.1:${port}`,
    ]);
    tools.push(sender);
    const receiver = new ToolProcess("receiver", [
      `127.0.0.1:${relay?.addr.port ?? port}`,
      "--http",
      "127.0.0.1:0",
      ...options.receiverArgs ?? [],
    ]);
    tools.push(receiver);
    const [url, senderListening] = await Promise.all([
      waitListening(receiver, { tool: "receiver", signal }).then((line) => {
        const url = String(line.url);
        viewer = startViewer(url, options.viewerSeconds * 1000);
        return url;
      }),
      waitListening(sender, { tool: "sender", signal }),
    ]);
    return { sender, receiver, relay, url, startedAt, senderListening, viewer: viewer!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
