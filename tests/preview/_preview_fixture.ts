import { LatestValue } from "../../lib/hub/latest_value.ts";
import type { ReceivedFrame } from "../../lib/hub/frame.ts";
import { createPreviewHandler } from "../../lib/preview/preview_handler.ts";

/** A tiny JPEG-shaped frame numbered `n`. */
export function frame(n: number): ReceivedFrame {
  return {
    data: Uint8Array.of(0xff, 0xd8, n, 0xff, 0xd9),
    captureTime: 1000 + n,
    localCaptureTime: 2000 + n,
    receivedAt: 3000 + n,
    width: 2,
    height: 2,
    frame: n,
  };
}

/** A preview handler and the frames it serves. */
export function setup() {
  const frames = new LatestValue<ReceivedFrame>();
  const handler = createPreviewHandler({ frames, stats: () => ({ state: "live" }) });
  return { frames, handler };
}

/** A GET request for `path`. */
export const get = (path: string) => new Request(`http://127.0.0.1${path}`);
