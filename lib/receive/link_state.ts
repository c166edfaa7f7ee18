import type { LinkReason } from "./link_reason.ts";

/**
 * Where a receiver stands with its sender:
 * - `connecting`: no answer from the sender yet;
 * - `live`: joined, and frames arrive;
 * - `stalled`: joined, but no frame for a while (the sender's source is down);
 * - `waiting`: the sender said goodbye or went silent; the last frame stays on show;
 * - `refused`: the sender will not stream to this receiver (a key missing or
 *   wrong, or the sender full); it keeps trying.
 */
export type LinkState = "connecting" | "live" | "stalled" | "waiting" | "refused";

/** The states as people read them, in the log as on the page; every state, in this order. */
export const LINK_STATE_LABELS: Readonly<Record<LinkState, string>> = {
  connecting: "connecting",
  live: "live",
  stalled: "no video",
  waiting: "waiting for sender",
  refused: "refused",
};

/** What the link reports to the receiver's log. */
export type LinkEvent =
  | { type: "joined"; session: number; rttMs: number }
  | { type: "session_changed"; from: number; to: number }
  | { type: "state"; from: LinkState; to: LinkState; reason: LinkReason };
