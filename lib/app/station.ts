import { join } from "node:path";
import type { Logger } from "../cli/logger.ts";
import type { NoSignalRenderer } from "../preview/no_signal_renderer.ts";
import { createPreviewHandler, type PreviewHandler } from "../preview/preview_handler.ts";
import type { CameraMetricsInput } from "../preview/prometheus_metrics.ts";
import { ScreenLatency } from "../preview/screen_latency.ts";
import type { SignalFeed } from "../preview/signal_feed.ts";
import { StationCameras } from "../preview/station_cameras.ts";
import { recordContainer, timestampedPath } from "../record/record_args.ts";
import type { Recorder } from "../record/recorder.ts";
import type { FrameReceiver } from "../receive/frame_receiver.ts";
import type { ReceiverArgs } from "./receiver_args.ts";
import { openRecorder, openSignalFeed } from "./receiver_outputs.ts";

/** A camera to add to the station: its name, where it comes from, and its receiver. */
export interface CameraSource {
  /** Its name, free in the station (see `uniqueCameraName`). */
  name: string;
  /** How the log names where it comes from: `HOST:PORT`, or an `rtp://` URL. */
  source: string;
  /** Its receiver, opened; the station closes it. */
  receiver: FrameReceiver;
}

/** One camera of the station with everything it has: its receiver, feed, recorder and preview. */
export interface OpenCamera {
  name: string;
  source: string;
  receiver: FrameReceiver;
  feed: SignalFeed;
  recorder: Recorder | undefined;
  handler: PreviewHandler;
  screenLatency: ScreenLatency;
}

/** Options for a {@linkcode Station}. */
export interface StationOptions {
  /** The receiver's flags: `--record` and its own. */
  args: Pick<ReceiverArgs, "record" | "recordSegmentSeconds" | "ffmpeg">;
  /** Draws the "no signal" frames of every camera, in one worker. */
  renderer: NoSignalRenderer;
  logger: Logger;
  /**
   * Whether the station is of several cameras (named, or `--all`): then
   * `--record cam.mkv` records each to `cam-NAME.mkv`.
   */
  several: boolean;
}

/**
 * The receiver's cameras, each with its own link, "no signal" feed,
 * recording and preview, as they join and leave. A camera removed is closed
 * and forgotten: nothing of it is left to grow.
 */
export class Station {
  /** The cameras as the preview serves them. */
  readonly cameras: StationCameras = new StationCameras();
  #open = new Map<string, OpenCamera>();
  /** Cameras being added, by name: their names are taken. */
  #adding = new Map<string, Promise<OpenCamera>>();
  /** Cameras removed while being added: closed once made. */
  #cancelled = new Set<string>();
  #closed = false;
  #options: StationOptions;

  /** A station with no camera yet. */
  constructor(options: StationOptions) {
    this.#options = options;
  }

  /** The cameras now, in the order they joined. */
  get list(): OpenCamera[] {
    return [...this.#open.values()];
  }

  /** Whether a camera has this name, or is being added with it. */
  has(name: string): boolean {
    return this.#open.has(name) || this.#adding.has(name);
  }

  /**
   * Adds a camera and starts its recording, if any. Its name is taken at
   * once, so two cameras added together never get one name. The receiver
   * is the station's from now on: closed if the camera cannot be added (the
   * name taken, a recording that cannot start: ffmpeg missing, say), which
   * throws, or if it is removed or the station closed while it was being
   * added, which resolves with `undefined`.
   */
  async add(source: CameraSource): Promise<OpenCamera | undefined> {
    const { name, receiver } = source;
    if (this.#closed || this.#open.has(name) || this.#adding.has(name)) {
      await receiver.close();
      if (this.#closed) return undefined;
      throw new Error(`a camera is named ${name} already`);
    }
    const adding = this.#make(source);
    this.#adding.set(name, adding);
    let camera: OpenCamera;
    try {
      camera = await adding;
    } finally {
      this.#adding.delete(name);
    }
    if (this.#closed || this.#cancelled.delete(name)) {
      await closeCamera(camera);
      return undefined;
    }
    this.#open.set(name, camera);
    this.cameras.add({
      name,
      frames: camera.feed.display,
      handler: camera.handler,
      stats: () => cameraStats(camera),
      screenLatency: camera.screenLatency,
    });
    return camera;
  }

  /** Makes a camera's feed, recorder and page, and starts its recording; closes what it made on failure. */
  async #make(source: CameraSource): Promise<OpenCamera> {
    const { args, renderer, logger, several } = this.#options;
    const { name, receiver } = source;
    let feed: SignalFeed | undefined;
    try {
      const path = args.record === undefined
        ? undefined
        : several
        ? await freeRecordPath(recordPath(args.record, name, true), args.recordSegmentSeconds)
        // One sender's file, named by the user: refused if there (the recorder says so), as ever.
        : recordPath(args.record, name, false);
      if (path !== undefined && recordContainer(args.record!) === undefined) {
        await Deno.mkdir(args.record!, { recursive: true });
      }
      const recorder = path === undefined
        ? undefined
        : openRecorder({ ...args, record: path }, receiver, logger);
      feed = openSignalFeed(receiver, { sender: source.source, renderer, logger });
      const camera: OpenCamera = {
        ...source,
        feed,
        recorder,
        screenLatency: new ScreenLatency(),
        handler: createPreviewHandler({
          frames: feed.display,
          stats: () => cameraStats(camera),
        }),
      };
      await recorder?.start();
      return camera;
    } catch (error) {
      await receiver.close();
      await feed?.close();
      throw error;
    }
  }

  /** Removes the camera of this name, if there is one (or one being added), and closes it. */
  async remove(name: string): Promise<void> {
    if (this.#adding.has(name)) {
      this.#cancelled.add(name);
      await this.#adding.get(name)!.catch(() => {});
      return;
    }
    const camera = this.#open.get(name);
    if (camera === undefined) return;
    this.#open.delete(name);
    this.cameras.remove(name);
    await closeCamera(camera);
  }

  /** Each camera's measurements for `/metrics`. */
  metrics(): CameraMetricsInput[] {
    return this.list.map((camera) => ({
      name: camera.name,
      instance: camera,
      receiver: camera.receiver.stats(),
      latency: camera.receiver.latencyHistogram,
      preview: camera.handler.stats,
      screenLatency: camera.screenLatency.histogram,
    }));
  }

  /**
   * Closes every camera, those being added too: recordings finished from
   * the frames they have, then each receiver says goodbye, and the grid's
   * streams end.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const cameras = this.list;
    this.#open.clear();
    this.cameras.close();
    await Promise.all([
      ...cameras.map(closeCamera),
      ...[...this.#adding.values()].map((adding) => adding.catch(() => {})),
    ]);
  }
}

/** A camera's own stats: its receiver's, its recording's and its feed's. */
function cameraStats(camera: OpenCamera): object {
  return {
    ...camera.receiver.stats(),
    recording: camera.recorder?.stats,
    signalFeed: camera.feed.stats,
    screenLatencyMs: camera.screenLatency.stats,
  };
}

async function closeCamera(camera: OpenCamera): Promise<void> {
  // ffmpeg finishes the file from the frames it has; then the receiver says goodbye.
  await camera.recorder?.close();
  await camera.receiver.close();
  await camera.feed.close();
}

/**
 * `path`, or when a file is there already (a camera of the station that
 * left and came back under its name, or a station's earlier run), the same
 * with the time in it, as `NAME-20261206-170000.mkv`: never a file
 * overwritten, and no camera left out for it. With segments, the
 * recorder names each file with its time anyway.
 */
async function freeRecordPath(path: string, segmentSeconds: number | undefined): Promise<string> {
  if (segmentSeconds !== undefined) return path;
  try {
    await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return path;
    throw error;
  }
  return timestampedPath(path, new Date());
}

/**
 * Where `--record PATH` records camera `name`: into a folder (a path with no
 * container's extension) as `PATH/NAME.mkv`; for one of several cameras as
 * `cam-NAME.mkv` beside `cam.mkv`; else `PATH` itself.
 */
export function recordPath(path: string, name: string, several: boolean): string {
  const container = recordContainer(path);
  if (container === undefined) return join(path, `${name}.mkv`);
  if (!several) return path;
  return `${path.slice(0, -(container.length + 1))}-${name}.${path.slice(-container.length)}`;
}
