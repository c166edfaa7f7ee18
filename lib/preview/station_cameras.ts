import { LatestValue } from "../hub/latest_value.ts";
import type { ReceivedFrame } from "../hub/frame.ts";
import type { PreviewHandler } from "./preview_handler.ts";
import type { ScreenLatency } from "./screen_latency.ts";

/** One camera of the station, as the preview serves it. */
export interface StationCamera {
  /** Its name in paths, `grid.mjpg` and `/metrics` (a `CAMERA_NAME`). */
  readonly name: string;
  /** The frames shown of it: its own, and "no signal" frames while none come. */
  readonly frames: LatestValue<ReceivedFrame>;
  /** Its own preview, served under `/cam/NAME/` with that prefix taken off. */
  readonly handler: PreviewHandler;
  /** Its entry of `/stats`: the receiver's stats and what else is known of it. */
  stats(): object;
  /** Its latency to the screen, as pages report it. */
  readonly screenLatency: ScreenLatency;
}

/**
 * The station's cameras in the order they joined, by name; each change
 * publishes a new {@linkcode changes} value, so a grid stream waiting for
 * frames also wakes for a camera come or gone.
 */
export class StationCameras {
  #cameras = new Map<string, StationCamera>();
  /** {@linkcode list}, made again only after a change: each grid viewer reads it every frame. */
  #list: StationCamera[] = [];
  /** Published on every camera added or removed, and closed with the station. */
  readonly changes: LatestValue<number> = new LatestValue();

  /** The cameras now, in the order they joined. */
  get list(): readonly StationCamera[] {
    return this.#list;
  }

  /** The first camera, whose stream today's paths (`/stream.mjpg`, ...) serve. */
  get first(): StationCamera | undefined {
    return this.#cameras.values().next().value;
  }

  /** Whether the station has closed: no camera comes any more. */
  get closed(): boolean {
    return this.changes.closed;
  }

  /** The camera of this name, if any. */
  get(name: string): StationCamera | undefined {
    return this.#cameras.get(name);
  }

  /** Whether a camera has this name. */
  has(name: string): boolean {
    return this.#cameras.has(name);
  }

  /** Adds a camera; its name must be free. */
  add(camera: StationCamera): void {
    if (this.#cameras.has(camera.name)) throw new Error(`A camera is named ${camera.name} already`);
    this.#cameras.set(camera.name, camera);
    this.#list = [...this.#cameras.values()];
    this.changes.publish(this.#cameras.size);
  }

  /** Removes the camera of this name; it, if there was one. */
  remove(name: string): StationCamera | undefined {
    const camera = this.#cameras.get(name);
    if (camera === undefined) return undefined;
    this.#cameras.delete(name);
    this.#list = [...this.#cameras.values()];
    this.changes.publish(this.#cameras.size);
    return camera;
  }

  /** Closes the station: grid streams end once they have sent what they hold. */
  close(): void {
    this.changes.close();
  }
}
