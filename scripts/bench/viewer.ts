import { wallClock } from "../../lib/util/clock.ts";
import { readMjpeg } from "../../tests/_mjpeg_client.ts";

/** One part of `/stream.mjpg` as the viewer saw it. */
export interface ViewedPart {
  /** When its last byte was read, on this process's {@linkcode wallClock} (ms). */
  readAt: number;
  /** Its `X-Timestamp`, in ms since the epoch. */
  captureTime: number;
  /** The JPEG's size. */
  bytes: number;
}

/** An HTTP viewer of `/stream.mjpg`, reading in the background. */
export interface Viewer {
  /** The parts read so far. */
  readonly parts: ViewedPart[];
  /** Why reading stopped early, if it failed. */
  readonly error: unknown;
  /** Resolves when reading has stopped, never rejects. */
  readonly done: Promise<void>;
}

/**
 * Starts reading the receiver's `/stream.mjpg` for about `durationMs`; `url`
 * is its preview address, ending in `/`. Stopping the receiver ends it for sure.
 */
export function startViewer(url: string, durationMs: number): Viewer {
  const parts: ViewedPart[] = [];
  const viewer = { parts, error: undefined as unknown, done: Promise.resolve() };
  viewer.done = readMjpeg(`${url}stream.mjpg`, {
    durationMs,
    onPart: (part) => {
      // A "no signal" frame the receiver drew is not video.
      if (part.headers["x-signal"] !== undefined) return;
      parts.push({
        readAt: wallClock(),
        captureTime: Number(part.headers["x-timestamp"]) * 1000,
        bytes: part.body.length,
      });
    },
  }).catch((error) => {
    viewer.error = error;
  });
  return viewer;
}
