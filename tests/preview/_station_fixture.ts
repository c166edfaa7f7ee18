/** Cameras for the station's handler tests: frames published by hand, stats made up. */
import { LatestValue } from "../../lib/hub/latest_value.ts";
import type { ReceivedFrame } from "../../lib/hub/frame.ts";
import { createPreviewHandler } from "../../lib/preview/preview_handler.ts";
import { ScreenLatency } from "../../lib/preview/screen_latency.ts";
import type { StationCamera } from "../../lib/preview/station_cameras.ts";

/** A camera whose frames the test publishes: each frame's bytes say `NAME:N`. */
export interface FakeCamera {
  camera: StationCamera;
  /** Publishes frame `n` of this camera, captured `ageMs` ago. */
  publish(n: number, ageMs?: number): void;
}

/** A camera named `name`, live, with no frame yet. */
export function fakeCamera(name: string, state = "live"): FakeCamera {
  const frames = new LatestValue<ReceivedFrame>();
  const stats = () => ({ state, framesReceived: frames.latest?.seq ?? 0, sender: `${name}:8080` });
  const camera: StationCamera = {
    name,
    frames,
    handler: createPreviewHandler({ frames, stats }),
    stats,
    screenLatency: new ScreenLatency(),
  };
  return {
    camera,
    publish(n, ageMs = 0) {
      const now = Date.now();
      frames.publish({
        data: new TextEncoder().encode(`${name}:${n}`),
        captureTime: now - ageMs,
        localCaptureTime: now - ageMs,
        receivedAt: now,
        width: 16,
        height: 16,
        frame: n,
      });
    },
  };
}

/** The text of each part's body, as fake frames carry it. */
export const frameText = (body: Uint8Array): string => new TextDecoder().decode(body);
