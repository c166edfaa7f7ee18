import type { Frame } from "../hub/frame.ts";
import type { LatestValue } from "../hub/latest_value.ts";
import { wallClock } from "../util/clock.ts";

/** Where {@linkcode sendNewest} sends: a {@linkcode UdpSender}, or a stand-in in tests. */
export interface FrameSink {
  /** How many receivers are streamed to now. */
  readonly receivers: number;
  /** Sends one frame; resolves when its last datagram is out. */
  send(frame: Frame): Promise<void>;
}

/** What {@linkcode sendNewest} tells as it goes. */
export interface SendNewestOptions {
  /** Called after each frame sent. */
  onSent?: (frame: Frame) => void;
  /** Called with how many frames were passed over while one was being sent, to receivers. */
  onSkipped?: (count: number) => void;
}

/**
 * Sends the newest frame of `frames` to `sink` each time one comes, until
 * `frames` closes. A frame that comes while one is still going out replaces
 * any older one waiting, so a slow link skips frames and never queues them;
 * with no receiver, frames are passed over and not counted as skipped.
 */
export async function sendNewest(
  frames: LatestValue<Frame>,
  sink: FrameSink,
  options: SendNewestOptions = {},
): Promise<void> {
  let seq = 0;
  for (;;) {
    const next = await frames.next(seq);
    if (next === undefined) return;
    if (seq > 0 && sink.receivers > 0 && next.seq - seq > 1) {
      options.onSkipped?.(next.seq - seq - 1);
    }
    seq = next.seq;
    if (sink.receivers === 0) continue;
    await sink.send(next.value);
    options.onSent?.(next.value);
  }
}

/**
 * Publishes the newest frame of `frames` again if it is at most `maxAgeMs`
 * old, for a first receiver: as an MJPEG server gives a new viewer the frame it
 * has, with no wait for the next one, which a slow source makes up to a second
 * away, and no first frame of a stream started with the receiver missed
 * because it joined a moment late.
 */
export function republishRecent(frames: LatestValue<Frame>, maxAgeMs: number): void {
  const latest = frames.latest?.value;
  if (latest !== undefined && wallClock() - latest.captureTime <= maxAgeMs) {
    frames.publish(latest);
  }
}
