import { wallClock } from "../../lib/util/clock.ts";

/**
 * The receiver's clock less this process's, in ms, from its `/time`: the
 * answer of the shortest of `samples` round trips, its clock taken to have
 * been read halfway through. Both run on one machine, yet each reads the wall
 * clock once as it starts and counts on from there, so a clock stepped or
 * slewed between their starts (as a virtual machine's may be) sets them apart.
 */
export async function receiverClockOffset(url: string, samples = 5): Promise<number> {
  let best: { offsetMs: number; roundTripMs: number } | undefined;
  for (let i = 0; i < samples; i++) {
    const sent = wallClock();
    const { now } = await (await fetch(`${url}time`)).json() as { now: number };
    const received = wallClock();
    const roundTripMs = received - sent;
    if (best === undefined || roundTripMs < best.roundTripMs) {
      best = { offsetMs: now - (sent + received) / 2, roundTripMs };
    }
  }
  return best!.offsetMs;
}
