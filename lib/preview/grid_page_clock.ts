/// <reference lib="dom" />
/**
 * The grid page's estimate of the receiver's clock, from `/time`: a frame's
 * X-Timestamp is on the receiver's wall clock and its paint on this page's,
 * and the two clocks can be seconds apart (another machine, a phone).
 *
 * @module
 */
import { own } from "./page_token.ts";

/** How many times one sync asks `/time`, keeping the answer of the shortest round trip. */
const SAMPLES = 5;
/** How often the page syncs again, in ms: clocks drift, and either may be set. */
export const SYNC_MS = 30_000;

/** The receiver's clock less this page's, in ms, and the round trip it was read in. */
export interface ClockOffset {
  offsetMs: number;
  roundTripMs: number;
}

let best: ClockOffset | undefined;
/** How many times the offset was forgotten: a sync begun before then keeps nothing. */
let forgotten = 0;

/** This page's wall clock, in ms since the epoch, on the clock a frame's paint is timed by. */
export function pageNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The receiver's clock less this page's, in ms, or undefined until a sync has answered. */
export function clockOffset(): ClockOffset | undefined {
  return best;
}

/**
 * Forgets the offset until the next sync answers, so that no frame is
 * measured on it meanwhile: after the tab was hidden or the machine slept,
 * either clock may have been set, or drifted, in the time nothing was synced.
 */
export function forgetClock(): void {
  best = undefined;
  forgotten++;
}

/**
 * Asks `/time` a few times, one after another, and keeps the answer of the
 * shortest round trip, taking the receiver's clock to have been read halfway
 * through it (as NTP does): the error is at most half that round trip. A sync
 * that gets no answer keeps the offset it had; one begun before the offset
 * was forgotten keeps nothing.
 */
export async function syncClock(): Promise<void> {
  const begun = forgotten;
  let sync: ClockOffset | undefined;
  for (let i = 0; i < SAMPLES; i++) {
    try {
      const sent = pageNow();
      const response = await fetch(own("time"), {
        cache: "no-store",
        signal: AbortSignal.timeout(2000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        continue;
      }
      const now = (await response.json())?.now;
      const received = pageNow();
      if (typeof now !== "number" || !Number.isFinite(now)) continue;
      const roundTripMs = received - sent;
      if (sync === undefined || roundTripMs < sync.roundTripMs) {
        sync = { offsetMs: now - (sent + received) / 2, roundTripMs };
      }
    } catch {
      // No answer this time: the other samples may do.
    }
  }
  if (sync !== undefined && begun === forgotten) best = sync;
}
