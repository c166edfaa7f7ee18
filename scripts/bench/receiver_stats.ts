import type { UdpReceiverStats } from "../../lib/receive/receiver_stats.ts";
import { delay } from "./abortable.ts";

/** The receiver's `/stats`, as the bench reads it. */
export type ReceiverStats = UdpReceiverStats & {
  preview: { viewers: number; framesServed: number; framesSkipped: number };
  /** The event loop's lag, `{ max, p99 }` in ms, where the receiver reports it. */
  eventLoopLagMs?: unknown;
};

/** Reads the receiver's `/stats`; `url` is its preview address, ending in `/`. */
export async function receiverStats(url: string): Promise<ReceiverStats> {
  const response = await fetch(`${url}stats`);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${url}stats: ${response.status}`);
  }
  return await response.json();
}

/** Options for {@linkcode waitLive}. */
export interface WaitLiveOptions {
  /** Stops the wait. */
  signal: AbortSignal;
  /** How long to wait, in ms. @default {15000} */
  timeoutMs?: number;
}

/** Waits until `/stats` says the link is live; throws after `options.timeoutMs`. */
export async function waitLive(url: string, options: WaitLiveOptions): Promise<void> {
  const { signal, timeoutMs = 15_000 } = options;
  const deadline = Date.now() + timeoutMs;
  let state = "unknown";
  while (Date.now() < deadline) {
    state = (await receiverStats(url)).state;
    if (state === "live") return;
    await delay(100, signal);
  }
  throw new Error(`the receiver was not live within ${timeoutMs / 1000} s (state: ${state})`);
}
