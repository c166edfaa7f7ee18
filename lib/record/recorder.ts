import { type FfmpegBuild, probeFfmpegBuild } from "../ffmpeg/ffmpeg_build.ts";
import { describeExit, withLine } from "../ffmpeg/ffmpeg_process.ts";
import type { ReceivedFrame } from "../hub/frame.ts";
import type { LatestValue } from "../hub/latest_value.ts";
import { recordArgs, timestampedPath } from "./record_args.ts";
import { pause } from "../util/pause.ts";
import { RecordStream } from "./record_stream.ts";
import { SegmentClock } from "./segment_clock.ts";
import type { RecorderEvent, RecorderStats } from "./recorder_event.ts";
import type { RecorderOptions } from "./recorder_options.ts";
import { RecordRun } from "./_record_run.ts";
import { RestartBackoff } from "../ffmpeg/restart_backoff.ts";
import { checkSegmentFolder, claim, claimTimestamped, exists, removeIfEmpty } from "./_claim.ts";

const DEFAULT_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000];
/** A run at least this long ends a row of failures. */
const STABLE_RUN_MS = 60_000;
/** The shortest pause before a restart: names carry the time to the second. */
const MIN_RESTART_MS = 1000;

/**
 * Records the receiver's frames to a file through ffmpeg, without encoding
 * them again: each JPEG goes into ffmpeg's stdin inside a live Matroska
 * stream that carries its capture timestamp (see `matroska.ts`), and ffmpeg
 * copies it into a `.mkv`, `.avi` or `.mjpeg` file, or a series of them.
 *
 * A series is cut by the recorder: at the first frame after each multiple of
 * the segment time on the local clock ({@linkcode SegmentClock}), it makes
 * the timestamps jump, and ffmpeg's segment muxer opens the next file there,
 * named with the time; a name already taken (in the hour that comes twice
 * when summer time ends) is not cut into, the segment goes on instead, and
 * neither is a cut made before ffmpeg has opened the file it would cut from
 * (an ffmpeg slow to start would name both with the same second).
 *
 * The newest frame wins: while ffmpeg is still taking a frame, newer ones
 * replace each other and only the newest is written next; the others are
 * counted in {@linkcode RecorderStats.framesSkipped}. Recording does not
 * depend on anyone watching the preview.
 *
 * It never overwrites a file: {@linkcode Recorder.start} claims the name
 * (creating the file) and refuses one that exists, and ffmpeg, which gets
 * every name as `file:` and an absolute path (never one of its protocols),
 * writes the very file that was claimed (see {@linkcode RecordFolder}). If
 * ffmpeg dies while recording, what it wrote stays as it is, and after a
 * pause recording goes on in a new file named with the time
 * (`cam-20261124-153000.mkv`): a file cannot be appended to, and a fault such
 * as a killed ffmpeg should cost a moment of video, not the rest of it. After
 * `maxFailures` failures in a row (a full disk, say) it gives up and says so;
 * the receiver goes on.
 *
 * ffmpeg runs in its own session, so a Ctrl+C in the terminal reaches only
 * the receiver, which then ends ffmpeg's input and waits for it to finish the
 * file ({@linkcode Recorder.close}). If the receiver is killed outright,
 * ffmpeg reads the end of its input all the same, finishes the file and exits.
 *
 * @example
 * ```ts
 * const recorder = new Recorder({ frames: receiver.frames, path: "cam.mkv" });
 * await recorder.start();
 * // ...
 * await recorder.close();
 * console.log(recorder.stats.framesWritten);
 * ```
 */
export class Recorder {
  #frames: LatestValue<ReceivedFrame>;
  #path: string;
  #segmentSeconds: number | undefined;
  #ffmpeg: string;
  #onEvent: (event: RecorderEvent) => void;
  #finishMs: number;
  #backoff: RestartBackoff;
  #maxFailures: number;
  #now: () => Date;
  #privateFolder: boolean;
  #closing = new AbortController();
  #recording: Promise<void> | undefined;
  /** The ffmpeg's build, found at start: what its arguments may be. */
  #build: FfmpegBuild | undefined;
  /** The sequence number of the last frame taken from {@linkcode RecorderOptions.frames}. */
  #lastSeq = 0;
  #stats: RecorderStats = {
    state: "recording",
    file: undefined,
    files: 0,
    framesWritten: 0,
    framesSkipped: 0,
    bytesWritten: 0,
    failures: 0,
    restarts: 0,
  };

  /**
   * Makes the recorder; {@linkcode Recorder.start} starts it.
   *
   * @param options The frames, the file, and how to run ffmpeg.
   */
  constructor(options: RecorderOptions) {
    const {
      frames,
      path,
      segmentSeconds,
      ffmpeg = "ffmpeg",
      onEvent = () => {},
      finishMs = 5000,
      backoffMs = DEFAULT_BACKOFF_MS,
      maxFailures = 5,
      now = () => new Date(),
      privateFolder = Deno.build.os !== "windows",
    } = options;
    recordArgs(path); // throws on a bad extension
    if (segmentSeconds !== undefined) new SegmentClock({ segmentSeconds }); // and on a bad time
    const backoff = new RestartBackoff(backoffMs);
    if (!(maxFailures >= 1)) throw new RangeError("Maximum failures must be 1 or more");
    if (!(finishMs >= 0)) throw new RangeError("Finishing time must be 0 ms or more");
    this.#frames = frames;
    this.#path = path;
    this.#segmentSeconds = segmentSeconds;
    this.#ffmpeg = ffmpeg;
    this.#onEvent = onEvent;
    this.#finishMs = finishMs;
    this.#backoff = backoff;
    this.#maxFailures = maxFailures;
    this.#now = now;
    this.#privateFolder = privateFolder;
  }

  /** Counters and the current file, a copy. */
  get stats(): RecorderStats {
    return { ...this.#stats };
  }

  /**
   * Claims the file and starts ffmpeg, which waits for the first frame.
   * Resolves once ffmpeg has said which build it is and been started; recording
   * goes on until {@linkcode Recorder.close}.
   *
   * @throws {Error} If the file exists, or its folder does not or cannot be written.
   * @throws {FfmpegNotFoundError} If ffmpeg cannot be found.
   * @throws {SourceError} If ffmpeg cannot be run, or is older than 4.1; the message is one line.
   */
  async start(): Promise<void> {
    if (this.#recording !== undefined) throw new TypeError("The recorder has already started");
    this.#build = await probeFfmpegBuild(this.#ffmpeg);
    if (this.#segmentSeconds === undefined) {
      await claim(this.#path);
    } else {
      await checkSegmentFolder(this.#path, this.#now());
    }
    let run: RecordRun;
    try {
      run = await this.#spawn(this.#segmentSeconds === undefined ? this.#path : undefined);
    } catch (error) {
      if (this.#segmentSeconds === undefined) await removeIfEmpty(this.#path);
      throw error;
    }
    this.#recording = this.#record(run);
  }

  /**
   * Ends ffmpeg's input and waits for it to finish the file: `finishMs`, then
   * SIGTERM, then SIGKILL. Safe to call twice, or before start.
   */
  async close(): Promise<void> {
    this.#closing.abort();
    await this.#recording;
    if (this.#stats.state !== "failed") this.#stats.state = "stopped";
  }

  async #record(first: RecordRun): Promise<void> {
    let run = first;
    while (true) {
      const outcome = await this.#feed(run);
      const status = await run.finish(outcome === "closed" ? this.#finishMs : 0);
      if (outcome === "closed") return;

      const error = withLine(describeExit(status), run.lastErrorLine);
      this.#stats.failures += 1;
      if (run.runningMs >= STABLE_RUN_MS) this.#backoff.reset();
      const pauseMs = this.#backoff.fail();
      const failuresInRow = this.#backoff.failures;
      if (failuresInRow >= this.#maxFailures) {
        return this.#giveUp(error, failuresInRow);
      }
      const retryInMs = Math.max(MIN_RESTART_MS, pauseMs);
      this.#stats.state = "restarting";
      this.#onEvent({ type: "record_failed", path: run.file, error, retryInMs });
      if (!(await pause(retryInMs, this.#closing.signal))) return;
      try {
        const path = this.#segmentSeconds === undefined
          ? await claimTimestamped(this.#path, this.#now())
          : undefined;
        run = await this.#spawn(path);
      } catch (error) {
        return this.#giveUp(error instanceof Error ? error.message : String(error), failuresInRow);
      }
      this.#stats.restarts += 1;
      this.#stats.state = "recording";
    }
  }

  /** Writes frames to `run` until the recorder closes, the frames end, or ffmpeg exits. */
  async #feed(run: RecordRun): Promise<"closed" | "died"> {
    const closing = this.#closing.signal;
    const stop = AbortSignal.any([closing, run.gone]);
    const closed = aborted(closing);
    const segments = this.#segmentSeconds === undefined
      ? undefined
      : new SegmentClock({ segmentSeconds: this.#segmentSeconds });
    const stream = new RecordStream();
    // The newest frame is the first one a file gets, unless an earlier file had it:
    // nothing before it counts as skipped.
    let after = Math.max((this.#frames.latest?.seq ?? 0) - 1, this.#lastSeq);
    while (!stop.aborted) {
      const next = await this.#frames.next(after, stop);
      if (next === undefined) break;
      this.#stats.framesSkipped += next.seq - after - 1;
      after = next.seq;
      this.#lastSeq = after;
      const frame = next.value;
      if (segments?.cuts(this.#now().getTime()) && !run.opening && await this.#nameFree()) {
        stream.cut();
        run.opening = true;
      }
      const written = run.write(stream.bytes(frame)).then(() => {
        this.#stats.framesWritten += 1;
        this.#stats.bytesWritten += frame.data.length;
        return true;
      }, () => false);
      // A write ffmpeg does not take must not hold up closing: finishing stops ffmpeg.
      if ((await Promise.race([written, closed])) === false) break;
    }
    return closing.aborted || this.#frames.closed ? "closed" : "died";
  }

  /**
   * Whether the file a segment starting now gets is free. Where the local
   * clock repeats itself (the hour that comes twice when summer time ends),
   * the segment goes on instead of overwriting the file of the first pass.
   */
  async #nameFree(): Promise<boolean> {
    return !(await exists(timestampedPath(this.#path, this.#now())));
  }

  /**
   * Starts ffmpeg on `file`, a name already claimed, or on the next segments
   * of the recording when undefined.
   */
  #spawn(file: string | undefined): Promise<RecordRun> {
    return RecordRun.start({
      ffmpeg: this.#ffmpeg,
      build: this.#build,
      path: this.#path,
      file,
      privateFolder: this.#privateFolder,
      onFile: (path, counted) => {
        this.#stats.file = path;
        if (!counted) this.#stats.files += 1;
        this.#onEvent({ type: "record_file", path });
      },
    });
  }

  #giveUp(error: string, failures: number): void {
    this.#stats.state = "failed";
    this.#stats.file = undefined;
    this.#onEvent({ type: "record_stopped", error, failures });
  }
}

/** Resolves once `signal` aborts. */
function aborted(signal: AbortSignal): Promise<"aborted"> {
  if (signal.aborted) return Promise.resolve("aborted");
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve("aborted"), { once: true })
  );
}
