/**
 * A sender and a receiver started at the same moment, the receiver behind the
 * project's impairment relay, as a new user starts them: nothing waits for
 * the other, and every figure counts from that moment.
 *
 * @module
 */
import { ImpairRelay } from "../scripts/impair/impair_relay.ts";
import type { LinkProfile } from "../scripts/impair/link_profile.ts";
import { freeUdpPort, type LogLine, ToolProcess } from "./_tool.ts";

/** The path's own delay, both ways: a LAN, about 4 ms round trip. */
export const LAN: LinkProfile = { delayMs: 2 };

/** A running pair. */
export interface Pair {
  sender: ToolProcess;
  receiver: ToolProcess;
  relay: ImpairRelay;
  /** The preview's URL, ending in `/`. */
  url: string;
  /** When both were started, on `performance.now()`. */
  startedAt: number;
}

/** What to start. */
export interface PairOptions {
  /** The sender's source and options, without `--listen`. */
  sender: string[];
  /** Both directions of the relay. @default {LAN} */
  link?: LinkProfile;
  /** The receiver's options, without the sender's address and `--http`. @default {[]} */
  receiver?: string[];
}

/** Starts a sender and, at the same moment, a receiver of it through a relay. */
export async function startPair(options: PairOptions): Promise<Pair> {
  const port = freeUdpPort();
  const link = options.link ?? LAN;
  const relay = new ImpairRelay({
    listen: { hostname: "127.0.0.1", port: 0 },
    target: { hostname: "127.0.0.1", port },
    seed: 11,
    up: link,
    down: link,
  });
  const startedAt = performance.now();
  const sender = new ToolProcess("sender", [...options.sender, "--listen", `127.0.0.1:${port}`]);
  const receiver = new ToolProcess("receiver", [
    `127.0.0.1:${relay.addr.port}`,
    "--http",
    "127.0.0.1:0",
    ...(options.receiver ?? []),
  ]);
  const url = String((await receiver.waitFor("listening")).url);
  return { sender, receiver, relay, url, startedAt };
}

/** Stops the receiver, then the sender, then the relay. */
export async function stopPair(pair: Pair): Promise<void> {
  await pair.receiver.stop();
  await pair.sender.stop();
  await pair.relay.close();
}

/** The receiver's `/stats`. */
// deno-lint-ignore no-explicit-any
export async function receiverStats(url: string): Promise<any> {
  return await (await fetch(`${url}stats`)).json();
}

/** Whole frames the receiver gave up, for every reason. */
export function framesDropped(stats: { framesDropped: Record<string, number> }): number {
  return Object.values(stats.framesDropped).reduce((sum, n) => sum + n, 0);
}

/** The time of a log line, in ms since the epoch. */
export function timeOf(line: LogLine): number {
  return Date.parse(String(line.time));
}

/** The sender's `adapted` events: each change of quality or of a receiver's frame rate. */
export function adaptations(sender: ToolProcess): LogLine[] {
  return sender.events.filter((line) => line.event === "adapted");
}

/** Waits until `ms` after the pair started. */
export async function at(pair: Pair, ms: number): Promise<void> {
  const wait = pair.startedAt + ms - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
