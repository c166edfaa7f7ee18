import { basename, dirname } from "node:path";
import { type FfmpegBuild, probeFfmpegBuild } from "../ffmpeg/ffmpeg_build.ts";
import { formatDuration } from "../cli/duration.ts";
import { concatBytes } from "../util/concat_bytes.ts";
import { FfmpegNotFoundError } from "../ffmpeg/ffmpeg_not_found_error.ts";
import { describeExit, killQuietly, readLines, withLine } from "../ffmpeg/ffmpeg_process.ts";
import type { ReceivedFrame } from "../hub/frame.ts";
import type { LatestValue } from "../hub/latest_value.ts";
import { matroskaCluster, matroskaHeader } from "./matroska.ts";
import { recordArgs, SEGMENT_SPAN_MS, suffixedPath, timestampedPath } from "./record_args.ts";
import { RecordFolder } from "./record_folder.ts";
import { pause } from "../util/pause.ts";
import { RecordTimeline } from "./record_timeline.ts";
import { SegmentClock } from "./segment_clock.ts";
import { settlesWithin } from "../util/with_timeout.ts";

/** Something that happened to a recording, for the log. */
export type RecorderEvent =
  | {
    /** A new file is being written. */
    type: "record_file";
    path: string;
  }
  | {
    /** ffmpeg exited while recording; a new file follows after `retryInMs`. */
    type: "record_failed";
    /** The file it was writing, if it had opened one. */
    path: string | undefined;
    /** How ffmpeg exited, with its last error line. */
    error: string;
    retryInMs: number;
  }
  | {
    /** Recording gave up after `failures` failures in a row; the receiver goes on without it. */
    type: "record_stopped";
    error: string;
    failures: number;
  };

/** Where a recording stands, for `/stats`. */
export interface RecorderStats {
  /** `recording`; `restarting` after ffmpeg failed; `stopped` once closed; `failed` after giving up. */
  state: "recording" | "restarting" | "stopped" | "failed";
  /** The file being written, once ffmpeg has opened one. */
  file: string | undefined;
  /** How many files were opened. */
  files: number;
  /** Frames handed to ffmpeg. */
  framesWritten: number;
  /** Frames passed over because ffmpeg was still taking an earlier one: the newest wins. */
  framesSkipped: number;
  /** JPEG bytes handed to ffmpeg. */
  bytesWritten: number;
  /** Times ffmpeg exited without being asked to. */
  failures: number;
  /** Times ffmpeg was started again, into a new file, after a failure. */
  restarts: number;
}

/** Options for a {@linkcode Recorder}. */
export interface RecorderOptions {
  /** The receiver's frames: the newest one, as it arrives. */
  frames: LatestValue<ReceivedFrame>;
  /** The file to write; its extension (`.mkv`, `.avi`, `.mjpeg`) picks the container. */
  path: string;
  /**
   * Start a new file every this many seconds (1 or more), on the local clock
   * (10 minutes: at 15:30:00, 15:40:00, ...), named from `path` with the
   * time it starts: `cam.mkv` becomes `cam-20261124-153000.mkv`, ...
   *
   * @default {undefined} one file
   */
  segmentSeconds?: number;
  /**
   * The ffmpeg program, a path or a name on the PATH.
   *
   * @default {"ffmpeg"}
   */
  ffmpeg?: string;
  /**
   * Called when a file opens, when ffmpeg fails, and when recording gives up.
   *
   * @default {undefined} no events
   */
  onEvent?: (event: RecorderEvent) => void;
  /**
   * How long ffmpeg gets to finish the file once its input has ended, in ms,
   * before it is stopped (SIGTERM, then SIGKILL 2 s later).
   *
   * @default {5000}
   */
  finishMs?: number;
  /**
   * Pauses before each restart after a failure, in ms; the last one repeats.
   * Restarts are at least 1 s apart, so names with the time in them differ.
   *
   * @default {[1000, 2000, 4000, 8000, 16000]}
   */
  backoffMs?: number[];
  /**
   * Failures in a row after which recording stops. A run of ffmpeg that
   * recorded for a minute or more ends a row.
   *
   * @default {5}
   */
  maxFailures?: number;
  /**
   * The local clock: where segments are cut, and the names of new files.
   *
   * @default {() => new Date()}
   */
  now?: () => Date;
  /**
   * Have ffmpeg create each file in a folder of the recorder's own and move
   * it onto the name claimed for it ({@linkcode RecordFolder}), so that
   * nothing put in the claimed file's place is ever written through. Without
   * it (Windows, where a file ffmpeg holds open cannot be moved), the claimed
   * name is given back just before ffmpeg creates the file itself, refusing
   * one that exists (`-n`).
   *
   * @default {true} but on Windows
   */
  privateFolder?: boolean;
}

const DEFAULT_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000];
/** A run at least this long ends a row of failures. */
const STABLE_RUN_MS = 60_000;
/** The shortest pause before a restart: names carry the time to the second. */
const MIN_RESTART_MS = 1000;
/** How long ffmpeg gets to exit after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** How long stderr may stay open after ffmpeg has exited. */
const STDERR_DRAIN_MS = 500;
/** How many of ffmpeg's error lines are kept, and how much of each. */
const ERROR_LINES = 5;
const MAX_ERROR_LINE_CHARS = 500;
/** The longest stderr line read whole. */
const MAX_STDERR_LINE_CHARS = 4096;
/** How many names with a suffix a restart tries when its name is taken. */
const MAX_NAME_SUFFIX = 99;
/**
 * The segment muxer's line, at `-loglevel level+info`, for each file it opens:
 * `[segment @ 0x55] [info] Opening 'cam-20261124-153000.mkv' for writing`, at
 * times without the `[segment @ ...]`.
 */
const OPENING_LINE = /^(?:\[segment @ [^\]]*\] )?\[info\] Opening '(.*)' for writing$/;
/** An error line at `-loglevel level+...`: `[matroska @ 0x55] [error] Invalid data`. */
const ERROR_LINE = /^(?:\[(\S+) @ [^\]]*\] )?\[(?:error|fatal|panic)\] (.*)$/;

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
  #backoffMs: number[];
  #maxFailures: number;
  #now: () => Date;
  #privateFolder: boolean;
  #closing = new AbortController();
  #recording: Promise<void> | undefined;
  /** The ffmpeg's build, found at start: what its arguments may be. */
  #build: FfmpegBuild | undefined;
  /**
   * Whether ffmpeg has yet to open the file of the segment it was last
   * given. No cut until it has: a cut made before would open a second file
   * in the same second, under the same name, over the first.
   */
  #opening = false;
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
    if (backoffMs.length === 0 || backoffMs.some((ms) => !(ms >= 0))) {
      throw new RangeError("Backoff must be a non-empty list of pauses of 0 ms or more");
    }
    if (!(maxFailures >= 1)) throw new RangeError("Maximum failures must be 1 or more");
    if (!(finishMs >= 0)) throw new RangeError("Finishing time must be 0 ms or more");
    this.#frames = frames;
    this.#path = path;
    this.#segmentSeconds = segmentSeconds;
    this.#ffmpeg = ffmpeg;
    this.#onEvent = onEvent;
    this.#finishMs = finishMs;
    this.#backoffMs = [...backoffMs];
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
    let failuresInRow = 0;
    while (true) {
      const outcome = await this.#feed(run);
      const status = await run.finish(outcome === "closed" ? this.#finishMs : 0);
      await run.settled();
      await run.folder?.remove();
      if (run.file !== undefined) await removeIfEmpty(run.file);
      if (outcome === "closed") return;

      const error = withLine(describeExit(status), run.lastErrorLine);
      this.#stats.failures += 1;
      if (run.runningMs >= STABLE_RUN_MS) failuresInRow = 0;
      failuresInRow += 1;
      if (failuresInRow >= this.#maxFailures) {
        return this.#giveUp(error, failuresInRow);
      }
      const retryInMs = Math.max(
        MIN_RESTART_MS,
        this.#backoffMs[Math.min(failuresInRow - 1, this.#backoffMs.length - 1)],
      );
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
    // A new segment starts one span further on, at 0 on a new timeline.
    let segmentStart = 0;
    let timeline = new RecordTimeline();
    // The newest frame is the first one a file gets, unless an earlier file had it:
    // nothing before it counts as skipped.
    let after = Math.max((this.#frames.latest?.seq ?? 0) - 1, this.#lastSeq);
    let headerWritten = false;
    while (!stop.aborted) {
      const next = await this.#frames.next(after, stop);
      if (next === undefined) break;
      this.#stats.framesSkipped += next.seq - after - 1;
      after = next.seq;
      this.#lastSeq = after;
      const frame = next.value;
      if (segments?.cuts(this.#now().getTime()) && !this.#opening && await this.#nameFree()) {
        segmentStart += SEGMENT_SPAN_MS;
        timeline = new RecordTimeline();
        this.#opening = true;
      }
      const cluster = matroskaCluster(segmentStart + timeline.stamp(frame), frame.data);
      const bytes = headerWritten ? cluster : concatBytes([
        matroskaHeader({ width: frame.width, height: frame.height }),
        cluster,
      ]);
      headerWritten = true;
      const written = run.write(bytes).then(() => {
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
   * Starts ffmpeg on `path`, a name already claimed, or on the next segments
   * of the recording when undefined.
   */
  async #spawn(path: string | undefined): Promise<RecordRun> {
    const claimed = path ?? this.#path;
    let folder: RecordFolder | undefined;
    try {
      if (this.#privateFolder) folder = await RecordFolder.create(claimed);
      // ffmpeg creates the file itself, and refuses one that exists.
      else if (path !== undefined) await Deno.remove(path);
    } catch (error) {
      throw claimError(claimed, error);
    }
    const output = folder?.inside(claimed) ?? claimed;
    const args = recordArgs(output, {
      segments: this.#segmentSeconds !== undefined,
      build: this.#build,
    });
    this.#opening = true;
    let run: RecordRun;
    try {
      run = new RecordRun(this.#ffmpeg, args, (file) => this.#segmentOpened(run, file));
    } catch (error) {
      await folder?.remove();
      throw error;
    }
    run.folder = folder;
    if (path !== undefined) {
      this.#opened(run, path);
      if (folder !== undefined) run.track(this.#moveOut(run, output, path, { last: true }));
    }
    return run;
  }

  /**
   * A segment ffmpeg opens, by the name it logs: claimed in the recording's
   * folder under the same name (or with `-2`, `-3`, ... should it be taken
   * meanwhile), and moved there once ffmpeg has created it.
   */
  #segmentOpened(run: RecordRun, file: string): void {
    this.#opening = false;
    const name = basename(file.replace(/^file:/, ""));
    // Beside the recording's name as it was given: `rec/cam.mkv` names `rec/cam-...mkv`.
    const beside = this.#path.slice(0, this.#path.length - basename(this.#path).length) + name;
    const folder = run.folder;
    if (folder === undefined) return this.#opened(run, beside);
    run.track((async () => {
      let claimed: string;
      try {
        claimed = await claimFree((suffix) => suffixedPath(beside, suffix));
      } catch {
        return this.#opened(run, folder.inside(name));
      }
      this.#opened(run, claimed);
      await this.#moveOut(run, folder.inside(name), claimed, { last: false });
    })());
  }

  /**
   * Moves the file ffmpeg creates at `inner` onto `claimed`; the folder goes
   * after the `last` file it will hold. A file that cannot be moved stays
   * where it is, and the log says where.
   */
  async #moveOut(
    run: RecordRun,
    inner: string,
    claimed: string,
    { last }: { last: boolean },
  ): Promise<void> {
    try {
      if (await run.folder!.moveOut(inner, claimed, run.gone) && last) await run.folder!.remove();
    } catch {
      if (run.file === claimed) this.#opened(run, inner, { counted: true });
    }
  }

  #opened(run: RecordRun, file: string, { counted = false } = {}): void {
    this.#opening = false;
    run.file = file;
    this.#stats.file = file;
    if (!counted) this.#stats.files += 1;
    this.#onEvent({ type: "record_file", path: file });
  }

  #giveUp(error: string, failures: number): void {
    this.#stats.state = "failed";
    this.#stats.file = undefined;
    this.#onEvent({ type: "record_stopped", error, failures });
  }
}

/** The line for a recorder event, as the receiver logs it. */
export function formatRecorderEvent(event: RecorderEvent): string {
  switch (event.type) {
    case "record_file":
      return `recording to ${event.path}`;
    case "record_failed":
      return `warning: recording${
        event.path === undefined ? "" : ` to ${event.path}`
      } failed: ${event.error}; going on in a new file in ${
        formatDuration(event.retryInMs / 1000)
      }`;
    case "record_stopped":
      return `error: recording stopped after ${event.failures} failures in a row: ${event.error}`;
  }
}

/** One ffmpeg process: its stdin, its exit, and its stderr's error lines. */
class RecordRun {
  /** The file it writes, once known. */
  file: string | undefined;
  /** The folder ffmpeg creates its files in, if not in the recording's own. */
  folder: RecordFolder | undefined;
  #tasks: Promise<void>[] = [];
  readonly status: Promise<Deno.CommandStatus>;
  /** Aborted once ffmpeg has exited. */
  readonly gone: AbortSignal;
  #child: Deno.ChildProcess;
  #onOpened: (file: string) => void;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #stderr: ReadableStreamDefaultReader<Uint8Array>;
  #stderrDone: Promise<void>;
  #errorLines: string[] = [];
  #startedAt = performance.now();
  #endedAt: number | undefined;

  /**
   * Spawns ffmpeg, which calls `onOpened` with each file its segment muxer
   * opens. Throws {@linkcode FfmpegNotFoundError} if there is no ffmpeg.
   */
  constructor(ffmpeg: string, args: string[], onOpened: (file: string) => void) {
    try {
      this.#child = new Deno.Command(ffmpeg, {
        args,
        stdin: "piped",
        stdout: "null",
        stderr: "piped",
        // Its own session: a Ctrl+C in the terminal must not cut the file short.
        detached: true,
      }).spawn();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new FfmpegNotFoundError(ffmpeg, { cause: error });
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot run ffmpeg at "${ffmpeg}": ${reason}`, { cause: error });
    }
    this.#onOpened = onOpened;
    const gone = new AbortController();
    this.gone = gone.signal;
    this.status = this.#child.status.then((status) => {
      this.#endedAt = performance.now();
      gone.abort();
      return status;
    });
    this.#writer = this.#child.stdin.getWriter();
    this.#writer.closed.catch(() => {});
    this.#stderr = this.#child.stderr.getReader();
    this.#stderrDone = readLines(this.#stderr, MAX_STDERR_LINE_CHARS, (line) => this.#line(line))
      .catch(() => {});
  }

  /** Keeps `task` (moving a file ffmpeg made) to be waited for once ffmpeg is done. */
  track(task: Promise<void>): void {
    this.#tasks.push(task);
  }

  /** Resolves once every tracked task has. */
  async settled(): Promise<void> {
    await Promise.all(this.#tasks);
  }

  /** How long it ran, or has run so far, in ms. */
  get runningMs(): number {
    return (this.#endedAt ?? performance.now()) - this.#startedAt;
  }

  /** Writes bytes to ffmpeg's stdin; rejects once ffmpeg is gone. */
  write(bytes: Uint8Array): Promise<void> {
    return this.#writer.write(bytes);
  }

  /**
   * Ends ffmpeg's input and waits `graceMs` for it to finish the file and
   * exit, then sends SIGTERM, and SIGKILL {@linkcode KILL_GRACE_MS} later.
   */
  async finish(graceMs: number): Promise<Deno.CommandStatus> {
    const closed = this.#writer.close().catch(() => {});
    if (!(await settlesWithin(this.status, graceMs))) {
      killQuietly(this.#child, "SIGTERM");
      if (!(await settlesWithin(this.status, KILL_GRACE_MS))) killQuietly(this.#child, "SIGKILL");
    }
    const status = await this.status;
    await closed;
    // A child that ffmpeg left behind could hold stderr open: stop reading it soon.
    if (!(await settlesWithin(this.#stderrDone, STDERR_DRAIN_MS))) {
      await this.#stderr.cancel().catch(() => {});
      await this.#stderrDone;
    }
    return status;
  }

  /** ffmpeg's last error line, if it wrote one. */
  get lastErrorLine(): string | undefined {
    return this.#errorLines.at(-1);
  }

  #line(line: string): void {
    const opening = OPENING_LINE.exec(line);
    if (opening !== null) {
      this.file = opening[1];
      this.#onOpened(opening[1]);
      return;
    }
    const error = ERROR_LINE.exec(line);
    if (error === null) return;
    const [, context, message] = error;
    const clean = (context === undefined ? message : `${context}: ${message}`).trim();
    this.#errorLines.push(clean.slice(0, MAX_ERROR_LINE_CHARS));
    if (this.#errorLines.length > ERROR_LINES) this.#errorLines.shift();
  }
}

/** Creates `path`, empty, to claim its name; refuses one that exists. */
async function claim(path: string): Promise<void> {
  try {
    const file = await Deno.open(path, { createNew: true, write: true });
    file.close();
  } catch (error) {
    throw claimError(path, error);
  }
}

/** Claims `path` with `date` in its name, adding `-2`, `-3`, ... while the name is taken. */
function claimTimestamped(path: string, date: Date): Promise<string> {
  return claimFree((suffix) => timestampedPath(path, date, suffix));
}

/** Claims the first free name of `named(1)`, `named(2)`, ...; returns it. */
async function claimFree(named: (suffix: number) => string): Promise<string> {
  for (let suffix = 1; suffix <= MAX_NAME_SUFFIX; suffix++) {
    const candidate = named(suffix);
    try {
      const file = await Deno.open(candidate, { createNew: true, write: true });
      file.close();
      return candidate;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw claimError(candidate, error);
    }
  }
  throw new Error(`cannot record: every name like ${named(1)} is taken`);
}

/** Checks that segments can go where `path` says, and that the first name is free. */
async function checkSegmentFolder(path: string, date: Date): Promise<void> {
  const folder = dirname(path);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(folder);
  } catch (error) {
    throw claimError(path, error);
  }
  if (!info.isDirectory) throw new Error(`cannot record to ${path}: ${folder} is not a folder`);
  const first = timestampedPath(path, date);
  if (await exists(first)) {
    throw new Error(`${first} already exists: recording never overwrites a file`);
  }
}

function claimError(path: string, error: unknown): Error {
  if (error instanceof Deno.errors.AlreadyExists) {
    return new Error(
      `${path} already exists: recording never overwrites a file; give another name, or move it away`,
    );
  }
  if (error instanceof Deno.errors.NotFound) {
    return new Error(`cannot record to ${path}: its folder ${dirname(path)} does not exist`);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new Error(`cannot record to ${path}: permission denied`);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`cannot record to ${path}: ${reason}`, { cause: error });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Removes a file the recorder claimed but ffmpeg never wrote to. */
async function removeIfEmpty(path: string): Promise<void> {
  try {
    if ((await Deno.stat(path)).size === 0) await Deno.remove(path);
  } catch {
    // Gone already, or not ours to remove.
  }
}

/** Resolves once `signal` aborts. */
function aborted(signal: AbortSignal): Promise<"aborted"> {
  if (signal.aborted) return Promise.resolve("aborted");
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve("aborted"), { once: true })
  );
}
