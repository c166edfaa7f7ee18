/// <reference lib="dom" />
/**
 * The preview page's reading of `/stats`: what it reads of it, and one poll.
 *
 * @module
 */
import { own } from "./preview_page_dom.ts";

/**
 * How often the page polls `/stats`, in ms. Stats come from polling /stats
 * once a second, on purpose not from server-sent events: the MJPEG <img>
 * already holds one of the browser's six HTTP/1.1 connections to this host,
 * and an EventSource would hold a second one per tab, so three open tabs
 * would leave a fourth without a connection at all.
 */
export const POLL_MS = 1000;

/** What the page reads of `/stats`. It comes over the network: each field is checked before use. */
export interface Stats {
  state: string;
  stateReason?: string;
  framesReceived: number;
  framesDropped?: Record<string, number>;
  packetsRecovered?: number;
  packetsRebuilt?: number;
  fps?: number;
  bitrateMbps?: number;
  width?: number;
  height?: number;
  lossPercent?: number;
  rttMs?: number;
  latencyMs?: Latency;
  preview?: { viewers: number };
  senderName?: string;
  sender?: string;
  senderStartedAt?: string;
  /** Whether the stream's datagrams are sealed with a key. */
  sealed?: boolean;
  /** Present while recording. */
  recording?: { file?: string };
  time: string;
}

/** The latency percentiles of `/stats`, in ms. */
export interface Latency {
  p50?: number;
  p99?: number;
}

/** One poll of `/stats`: the stats, or why there are none. */
export interface Polled {
  stats?: Stats;
  reason?: string;
}

/** The stats, or why there are none. */
export async function fetchStats(): Promise<Polled> {
  let response: Response;
  try {
    response = await fetch(own("stats"), {
      cache: "no-store",
      signal: typeof AbortSignal.timeout === "function"
        ? AbortSignal.timeout(3 * POLL_MS)
        : undefined,
    });
    if (response.ok) return { stats: await response.json() };
  } catch {
    return { reason: "no answer from the receiver: it may have stopped" };
  }
  // A receiver restarted with a new random token no longer takes this page's.
  return {
    reason: response.status === 401 || response.status === 403
      ? "the receiver turned this page away (HTTP " + response.status +
        "): open the preview URL from its log again"
      : "the receiver answered HTTP " + response.status,
  };
}
