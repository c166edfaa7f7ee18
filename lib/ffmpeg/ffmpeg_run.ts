import { killQuietly, readLines } from "./ffmpeg_process.ts";
import { settlesWithin } from "../util/with_timeout.ts";

/** How long ffmpeg gets to exit after SIGTERM before SIGKILL. */
export const KILL_GRACE_MS = 2_000;
/** How long stderr may stay open after ffmpeg has exited. */
export const STDERR_DRAIN_MS = 500;

/** Options for {@linkcode FfmpegRun}. */
export interface FfmpegRunOptions<T> {
  /** ffmpeg's arguments. */
  args: string[];
  /**
   * What ffmpeg's stdout is cut into, read piece by piece with
   * {@linkcode FfmpegRun.read}.
   *
   * @default {undefined} stdout is not read
   */
  output?: TransformStream<Uint8Array, T>;
  /**
   * Whether ffmpeg reads its stdin, written with {@linkcode FfmpegRun.write}.
   *
   * @default {false} no stdin
   */
  input?: boolean;
  /**
   * Run ffmpeg in its own session, so that a Ctrl+C in the terminal does not reach it.
   *
   * @default {false}
   */
  detached?: boolean;
  /**
   * The longest stderr line read whole; a longer one is cut.
   *
   * @default {500}
   */
  lineChars?: number;
  /**
   * How many stderr lines are kept, the newest.
   *
   * @default {20}
   */
  tailLines?: number;
  /**
   * Sees each stderr line, and says what to keep of it: undefined keeps nothing.
   *
   * @default {undefined} each line that is not blank, as it is
   */
  keepLine?: (line: string) => string | undefined;
}

/**
 * One ffmpeg child process, as capture and recording run it: its output
 * read or its input written, the tail of its stderr kept for error messages,
 * and a stop that never leaves it running (SIGTERM, then SIGKILL after
 * {@linkcode KILL_GRACE_MS}).
 *
 * @example
 * ```ts
 * const run = new FfmpegRun("ffmpeg", { args, output: new JpegSplitter() });
 * for (let jpeg = await run.read(); jpeg !== undefined; jpeg = await run.read()) show(jpeg);
 * const status = await run.stop(KILL_GRACE_MS);
 * console.log(describeExit(status), run.tail.at(-1));
 * ```
 */
export class FfmpegRun<T = never> {
  /** The process id. */
  readonly pid: number;
  /** How the process ended, once it has. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Aborted once the process has exited. */
  readonly gone: AbortSignal;
  #child: Deno.ChildProcess;
  #output: ReadableStreamDefaultReader<T> | undefined;
  #input: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #stderr: ReadableStreamDefaultReader<Uint8Array>;
  #stderrDone: Promise<void>;
  #tail: string[] = [];
  #tailLines: number;
  #keepLine: (line: string) => string | undefined;
  #stopped: Promise<Deno.CommandStatus> | undefined;
  #startedAt = performance.now();
  #endedAt: number | undefined;

  /**
   * Spawns ffmpeg.
   *
   * @param ffmpeg The program, a path or a name on the PATH.
   * @param options Its arguments, its pipes, and what of its stderr to keep.
   * @throws As `Deno.Command.spawn` does, when it cannot be started.
   */
  constructor(ffmpeg: string, options: FfmpegRunOptions<T>) {
    const {
      args,
      output,
      input = false,
      detached = false,
      lineChars = 500,
      tailLines = 20,
      keepLine = (line) => line.trim() === "" ? undefined : line,
    } = options;
    this.#child = new Deno.Command(ffmpeg, {
      args,
      stdin: input ? "piped" : "null",
      stdout: output === undefined ? "null" : "piped",
      stderr: "piped",
      detached,
    }).spawn();
    this.#tailLines = tailLines;
    this.#keepLine = keepLine;
    this.pid = this.#child.pid;
    const gone = new AbortController();
    this.gone = gone.signal;
    this.status = this.#child.status.then((status) => {
      this.#endedAt = performance.now();
      gone.abort();
      return status;
    });
    this.#output = output && this.#child.stdout.pipeThrough(output).getReader();
    if (input) {
      this.#input = this.#child.stdin.getWriter();
      this.#input.closed.catch(() => {});
    }
    this.#stderr = this.#child.stderr.getReader();
    this.#stderrDone = readLines(this.#stderr, lineChars, (line) => this.#keep(line))
      .catch(() => {});
  }

  /** The stderr lines kept, oldest first. */
  get tail(): readonly string[] {
    return this.#tail;
  }

  /** How long it ran, or has run so far, in ms. */
  get runningMs(): number {
    return (this.#endedAt ?? performance.now()) - this.#startedAt;
  }

  /** The next piece of its output, or `undefined` once stdout has ended or failed. */
  async read(): Promise<T | undefined> {
    try {
      const result = await this.#output?.read();
      return result === undefined || result.done ? undefined : result.value;
    } catch {
      return undefined; // stdout failed: the end of this run
    }
  }

  /** Writes bytes to its stdin; rejects once ffmpeg is gone. */
  write(bytes: Uint8Array): Promise<void> {
    if (this.#input === undefined) return Promise.reject(new TypeError("ffmpeg has no input"));
    return this.#input.write(bytes);
  }

  /**
   * Makes sure ffmpeg is gone: ends its input, waits `graceMs` for it to exit
   * by itself (with 0, sends SIGTERM at once), sends SIGTERM, and SIGKILL if
   * it still runs {@linkcode KILL_GRACE_MS} later. Then stops reading its
   * output, and its stderr after at most {@linkcode STDERR_DRAIN_MS}. Safe to
   * call again: a later call with 0 sends SIGTERM at once, and each waits for
   * the first.
   *
   * @returns How it ended.
   */
  stop(graceMs: number): Promise<Deno.CommandStatus> {
    if (graceMs === 0) killQuietly(this.#child, "SIGTERM");
    this.#stopped ??= this.#stop(graceMs);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<Deno.CommandStatus> {
    const inputClosed = this.#input?.close().catch(() => {});
    if (graceMs > 0 && !(await settlesWithin(this.status, graceMs))) {
      killQuietly(this.#child, "SIGTERM");
    }
    if (!(await settlesWithin(this.status, KILL_GRACE_MS))) killQuietly(this.#child, "SIGKILL");
    await this.#output?.cancel().catch(() => {});
    const status = await this.status;
    await inputClosed;
    // A child that ffmpeg left behind could hold stderr open: stop reading it soon.
    if (!(await settlesWithin(this.#stderrDone, STDERR_DRAIN_MS))) {
      await this.#stderr.cancel().catch(() => {});
      await this.#stderrDone;
    }
    return status;
  }

  #keep(line: string): void {
    const kept = this.#keepLine(line);
    if (kept === undefined) return;
    this.#tail.push(kept);
    if (this.#tail.length > this.#tailLines) this.#tail.shift();
  }
}
