import { wallClock } from "../util/clock.ts";
import { type Frame, MAX_FRAME_BYTES } from "../hub/frame.ts";
import type { FrameSource, SourceEvent } from "./frame_source.ts";
import { describeExit, ffmpegStartError, withLine } from "../ffmpeg/ffmpeg_process.ts";
import { FfmpegRun, KILL_GRACE_MS } from "../ffmpeg/ffmpeg_run.ts";
import { RestartBackoff } from "../ffmpeg/restart_backoff.ts";
import { pause } from "../util/pause.ts";
import { jpegDimensions } from "../image/jpeg_dimensions.ts";
import { JpegSplitter } from "./jpeg_splitter.ts";
import { SourceError } from "../ffmpeg/source_error.ts";
import { formatSourceSpec, type SourceSpec } from "./source_spec.ts";

/** Options for {@linkcode FfmpegSource}. */
export interface FfmpegSourceOptions {
  /** The ffmpeg program to run, a path or a name on the PATH. */
  ffmpeg: string;
  /** The source ffmpeg reads, for events and the retry default. */
  spec: SourceSpec;
  /** ffmpeg's arguments, writing MJPEG to stdout (see `ffmpegArgs`). */
  args: string[];
  /**
   * Start ffmpeg again, after a pause, when it exits. A source that fails before its first frame
   * is never retried.
   *
   * @default {true} for cameras and URLs, `false` for files
   */
  retry?: boolean;
  /**
   * Pauses before each restart in milliseconds; the last one repeats. The schedule starts over
   * after a run that gave frames for more than 10 s.
   *
   * @default {[1000, 2000, 4000, 8000, 16000, 30000]}
   */
  backoffMs?: number[];
  /**
   * Largest JPEG in bytes; a longer one is dropped.
   *
   * @default {16777216} 16 MiB
   */
  maxFrameSize?: number;
  /**
   * Asked once, if ffmpeg exits before its first frame: other arguments to
   * try instead (say, for an older ffmpeg), or undefined to fail with
   * ffmpeg's error. What it throws is thrown from the frames.
   *
   * @default {undefined} no second try
   */
  fallback?: () => Promise<string[] | undefined>;
  /**
   * Called when the source starts, fails, restarts or ends.
   *
   * @default {undefined} no events
   */
  onEvent?: (event: SourceEvent) => void;
  /**
   * The clock for capture times, in milliseconds since the Unix epoch.
   *
   * @default {wallClock}
   */
  now?: () => number;
}

const DEFAULT_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000];
/** A run that gave frames for longer than this resets the backoff schedule. */
const STABLE_RUN_MS = 10_000;
/** stderr lines that only say that something earlier failed. */
const GENERIC_STDERR = [
  /^Conversion failed!?$/,
  /^Exiting normally/,
  /^Error opening (input|output) files?\b/,
  /^(in|out)#\d+\S*: Error opening (input|output)\b/,
];

/**
 * Frames from a camera, file or stream through an ffmpeg child process that writes MJPEG to
 * stdout. Each JPEG is stamped with its capture time as soon as it is whole.
 *
 * If ffmpeg exits before its first frame, {@linkcode FfmpegSource.frames} throws a
 * {@linkcode SourceError} with ffmpeg's last error line. Once frames have come, an exit is
 * reported through `onEvent` and ffmpeg is started again after a pause (with `retry`), or the
 * frames end. {@linkcode FfmpegSource.close} stops ffmpeg and waits for it.
 *
 * Frames are read as the consumer asks for them: a consumer that stops reading holds ffmpeg
 * back, so it should read at once and drop frames it cannot use.
 *
 * @example
 * ```ts
 * const spec = parseSourceSpec("camera");
 * const args = ffmpegArgs(spec, { os: Deno.build.os, quality: 80 });
 * const source = new FfmpegSource({ ffmpeg: "ffmpeg", spec, args });
 * for await (const frame of source.frames()) console.log(frame.data.length);
 * ```
 */
export class FfmpegSource implements FrameSource {
  #ffmpeg: string;
  #args: string[];
  #name: string;
  #retry: boolean;
  #backoff: RestartBackoff;
  #maxFrameSize: number;
  #onEvent: (event: SourceEvent) => void;
  #fallback: (() => Promise<string[] | undefined>) | undefined;
  #now: () => number;
  #closed = new AbortController();
  #started = false;
  #run: FfmpegRun<Uint8Array> | undefined;
  #restarting = false;
  #spec: SourceSpec;
  /** Seconds into the media where the current run started, and when its first frame came. */
  #runFrom = 0;
  #runFirstFrameAt: number | undefined;

  /**
   * Makes the source; ffmpeg starts when frames are first read.
   *
   * @param options The program, its arguments and how to handle its exit.
   */
  constructor(options: FfmpegSourceOptions) {
    const {
      ffmpeg,
      spec,
      args,
      retry = spec.kind === "camera" || spec.kind === "url",
      backoffMs = DEFAULT_BACKOFF_MS,
      maxFrameSize = MAX_FRAME_BYTES,
      onEvent = () => {},
      now = wallClock,
    } = options;
    this.#ffmpeg = ffmpeg;
    this.#args = [...args];
    this.#spec = spec;
    this.#name = formatSourceSpec(spec);
    this.#retry = retry;
    this.#backoff = new RestartBackoff(backoffMs);
    this.#maxFrameSize = maxFrameSize;
    this.#onEvent = onEvent;
    this.#now = now;
    this.#fallback = options.fallback;
  }

  /**
   * Starts ffmpeg and yields its frames until the source ends or is closed. Can be called once.
   *
   * @throws {FfmpegNotFoundError} If ffmpeg cannot be found.
   * @throws {SourceError} If ffmpeg cannot be run, or exits before its first frame.
   */
  frames(): AsyncIterable<Frame> {
    if (this.#started) throw new TypeError("Frames of an ffmpeg source can be read only once");
    this.#started = true;
    return this.#frames();
  }

  /** The source ffmpeg reads. */
  get spec(): SourceSpec {
    return this.#spec;
  }

  /**
   * How far into the media the source is, in seconds, counting real time from
   * the current run's first frame: where a file should resume after a restart.
   */
  get position(): number {
    const first = this.#runFirstFrameAt;
    return first === undefined ? this.#runFrom : this.#runFrom + (this.#now() - first) / 1000;
  }

  /**
   * Runs ffmpeg again with new arguments (say, another quality or size), with
   * no pause and no failure event; the frames go on from the new process.
   */
  async restart(args: string[], fromSeconds = this.position): Promise<void> {
    this.#args = [...args];
    this.#runFrom = fromSeconds;
    this.#runFirstFrameAt = undefined;
    const run = this.#run;
    if (run === undefined) return;
    this.#restarting = true;
    await run.stop(0);
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL after 2 s), waits for it to exit and ends the frames. */
  async close(): Promise<void> {
    this.#closed.abort();
    await this.#run?.stop(0);
  }

  async *#frames(): AsyncGenerator<Frame> {
    let gaveFrames = false;
    let reconfigured = false;
    while (!this.#closed.signal.aborted) {
      const run = this.#spawn();
      this.#run = run;
      let count = 0;
      let firstAt = 0;
      let lastAt = 0;
      let ended = false;
      const quiet = reconfigured;
      reconfigured = false;
      try {
        while (true) {
          const jpeg = await run.read();
          if (jpeg === undefined) break;
          const captureTime = this.#now();
          if (count === 0) {
            firstAt = captureTime;
            this.#runFirstFrameAt ??= captureTime;
            if (!quiet) this.#startedEvent(run.pid, jpeg);
          }
          count += 1;
          lastAt = captureTime;
          yield { data: jpeg, captureTime };
        }
        ended = true;
      } finally {
        // After stdout ends ffmpeg is on its way out: let it exit by itself first.
        await run.stop(ended ? KILL_GRACE_MS : 0);
        this.#run = undefined;
      }
      if (this.#closed.signal.aborted) return;
      if (this.#restarting) {
        this.#restarting = false;
        reconfigured = true;
        if (count > 0) gaveFrames = true;
        continue;
      }

      const status = await run.status;
      const line = lastErrorLine(run.tail);
      if (count === 0 && !gaveFrames) {
        const fallback = this.#fallback;
        this.#fallback = undefined;
        const args = await fallback?.();
        if (args !== undefined) {
          this.#args = [...args];
          continue;
        }
        throw new SourceError(withLine(`${describeExit(status)} before the first frame`, line));
      }
      const exit = withLine(describeExit(status), line);
      if (count > 0) gaveFrames = true;
      if (count > 0 && lastAt - firstAt > STABLE_RUN_MS) this.#backoff.reset();

      if (!this.#retry) {
        if (!status.success) this.#emit({ type: "source_failed", error: exit });
        this.#emit({ type: "source_ended" });
        return;
      }
      this.#emit({ type: "source_failed", error: exit });
      const delayMs = this.#backoff.fail();
      this.#emit({ type: "source_restarting", attempt: this.#backoff.failures, delayMs });
      await pause(delayMs, this.#closed.signal);
    }
  }

  #spawn(): FfmpegRun<Uint8Array> {
    try {
      // ffmpeg's stderr is kept, 20 lines of up to 500 characters, for error messages.
      return new FfmpegRun(this.#ffmpeg, {
        args: this.#args,
        output: new JpegSplitter({ maxFrameSize: this.#maxFrameSize }),
      });
    } catch (error) {
      throw ffmpegStartError(this.#ffmpeg, error);
    }
  }

  #startedEvent(pid: number, jpeg: Uint8Array) {
    const size = jpegDimensions(jpeg);
    const detail = size === undefined
      ? `ffmpeg pid ${pid}`
      : `ffmpeg pid ${pid}, ${size.width}x${size.height}`;
    this.#emit({ type: "source_started", detail });
  }

  #emit(event: DistributiveOmit<SourceEvent, "source">) {
    this.#onEvent({ ...event, source: this.#name } as SourceEvent);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The last stderr line that says what went wrong, without ffmpeg's `@ 0x…` addresses. */
function lastErrorLine(tail: readonly string[]): string | undefined {
  const lines = tail.map(cleanStderrLine).filter((line) => line !== "");
  return lines.findLast((line) => !GENERIC_STDERR.some((generic) => generic.test(line))) ??
    lines.at(-1);
}

/** `[video4linux2,v4l2 @ 0x5581c0] Cannot open` becomes `video4linux2,v4l2: Cannot open`. */
function cleanStderrLine(line: string): string {
  return line.replace(/^\[([^\]]*?) @ (?:0x)?[0-9a-fA-F]+\]\s*/, "$1: ").trim();
}
