import { basename } from "node:path";
import type { FfmpegBuild } from "../ffmpeg/ffmpeg_build.ts";
import { FfmpegNotFoundError } from "../ffmpeg/ffmpeg_not_found_error.ts";
import { FfmpegRun } from "../ffmpeg/ffmpeg_run.ts";
import { recordArgs, suffixedPath } from "./record_args.ts";
import { RecordFolder } from "./record_folder.ts";
import { claimError, claimFree, removeIfEmpty } from "./_claim.ts";

/** How many of ffmpeg's error lines are kept, and how much of each. */
const ERROR_LINES = 5;
const MAX_ERROR_LINE_CHARS = 500;
/** The longest stderr line read whole. */
const MAX_STDERR_LINE_CHARS = 4096;
/**
 * The segment muxer's line, at `-loglevel level+info`, for each file it opens:
 * `[segment @ 0x55] [info] Opening 'cam-20261124-153000.mkv' for writing`, at
 * times without the `[segment @ ...]`.
 */
const OPENING_LINE = /^(?:\[segment @ [^\]]*\] )?\[info\] Opening '(.*)' for writing$/;
/** An error line at `-loglevel level+...`: `[matroska @ 0x55] [error] Invalid data`. */
const ERROR_LINE = /^(?:\[(\S+) @ [^\]]*\] )?\[(?:error|fatal|panic)\] (.*)$/;

/** Options for {@linkcode RecordRun.start}. */
export interface RecordRunOptions {
  /** The ffmpeg program, a path or a name on the PATH. */
  ffmpeg: string;
  /** ffmpeg's build, which says what its arguments may be. */
  build: FfmpegBuild | undefined;
  /** The recording's name as it was given: segments are named beside it. */
  path: string;
  /**
   * The name already claimed for the one file this run writes.
   *
   * @default {undefined} ffmpeg cuts segments, and names them
   */
  file?: string;
  /** Have ffmpeg create its files in a folder of the recording's own (see {@linkcode RecordFolder}). */
  privateFolder: boolean;
  /**
   * Called with each file the run writes, once its name is known; `counted`
   * when the file was told before under the name it could not be moved to.
   */
  onFile: (file: string, counted: boolean) => void;
}

/**
 * One recording ffmpeg: its stdin, its exit, its stderr's error lines, and
 * the files it writes, each claimed under its name and moved there from the
 * recording's own folder once ffmpeg has created it.
 */
export class RecordRun {
  /** The file it writes, once known. */
  file: string | undefined;
  /**
   * Whether ffmpeg has yet to open the file of the segment it was last
   * given. No cut until it has: a cut made before would open a second file
   * in the same second, under the same name, over the first.
   */
  opening = true;
  /** Aborted once ffmpeg has exited. */
  readonly gone: AbortSignal;
  #run: FfmpegRun;
  #path: string;
  #folder: RecordFolder | undefined;
  #onFile: (file: string, counted: boolean) => void;
  #tasks: Promise<void>[] = [];

  /**
   * Starts ffmpeg on the file claimed, or on the next segments of the
   * recording.
   *
   * @throws {Error} If the recording's own folder cannot be made, or the claimed name not freed.
   * @throws {FfmpegNotFoundError} If there is no ffmpeg.
   * @throws {Error} If it cannot be run.
   */
  static async start(options: RecordRunOptions): Promise<RecordRun> {
    const { file, path, privateFolder } = options;
    const claimed = file ?? path;
    let folder: RecordFolder | undefined;
    try {
      if (privateFolder) folder = await RecordFolder.create(claimed);
      // ffmpeg creates the file itself, and refuses one that exists.
      else if (file !== undefined) await Deno.remove(file);
    } catch (error) {
      throw claimError(claimed, error);
    }
    const output = folder?.inside(claimed) ?? claimed;
    const args = recordArgs(output, { segments: file === undefined, build: options.build });
    let run: RecordRun;
    try {
      run = new RecordRun(options, args, folder);
    } catch (error) {
      await folder?.remove();
      throw error;
    }
    if (file !== undefined) {
      run.#opened(file);
      if (folder !== undefined) run.#track(run.#moveOut(output, file, { last: true }));
    }
    return run;
  }

  private constructor(options: RecordRunOptions, args: string[], folder: RecordFolder | undefined) {
    const { ffmpeg } = options;
    this.#path = options.path;
    this.#folder = folder;
    this.#onFile = options.onFile;
    try {
      this.#run = new FfmpegRun(ffmpeg, {
        args,
        input: true,
        // Its own session: a Ctrl+C in the terminal must not cut the file short.
        detached: true,
        lineChars: MAX_STDERR_LINE_CHARS,
        tailLines: ERROR_LINES,
        keepLine: (line) => this.#line(line),
      });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new FfmpegNotFoundError(ffmpeg, { cause: error });
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot run ffmpeg at "${ffmpeg}": ${reason}`, { cause: error });
    }
    this.gone = this.#run.gone;
  }

  /** How long it ran, or has run so far, in ms. */
  get runningMs(): number {
    return this.#run.runningMs;
  }

  /** Writes bytes to ffmpeg's stdin; rejects once ffmpeg is gone. */
  write(bytes: Uint8Array): Promise<void> {
    return this.#run.write(bytes);
  }

  /**
   * Ends ffmpeg's input and waits `graceMs` for it to finish the file and
   * exit, then stops it (see {@linkcode FfmpegRun.stop}); waits for the files
   * it made to be moved, and removes its folder and a file it left empty.
   *
   * @returns How ffmpeg ended.
   */
  async finish(graceMs: number): Promise<Deno.CommandStatus> {
    const status = await this.#run.stop(graceMs);
    await Promise.all(this.#tasks);
    await this.#folder?.remove();
    if (this.file !== undefined) await removeIfEmpty(this.file);
    return status;
  }

  /** ffmpeg's last error line, if it wrote one. */
  get lastErrorLine(): string | undefined {
    return this.#run.tail.at(-1);
  }

  /** The error a stderr line says, to keep; a file opened is told at once. */
  #line(line: string): string | undefined {
    const opening = OPENING_LINE.exec(line);
    if (opening !== null) {
      this.file = opening[1];
      this.#segmentOpened(opening[1]);
      return undefined;
    }
    const error = ERROR_LINE.exec(line);
    if (error === null) return undefined;
    const [, context, message] = error;
    const clean = (context === undefined ? message : `${context}: ${message}`).trim();
    return clean.slice(0, MAX_ERROR_LINE_CHARS);
  }

  /** Keeps `task` (moving a file ffmpeg made) to be waited for once ffmpeg is done. */
  #track(task: Promise<void>): void {
    this.#tasks.push(task);
  }

  /**
   * A segment ffmpeg opens, by the name it logs: claimed in the recording's
   * folder under the same name (or with `-2`, `-3`, ... should it be taken
   * meanwhile), and moved there once ffmpeg has created it.
   */
  #segmentOpened(file: string): void {
    this.opening = false;
    const name = basename(file.replace(/^file:/, ""));
    // Beside the recording's name as it was given: `rec/cam.mkv` names `rec/cam-...mkv`.
    const beside = this.#path.slice(0, this.#path.length - basename(this.#path).length) + name;
    const folder = this.#folder;
    if (folder === undefined) return this.#opened(beside);
    this.#track((async () => {
      let claimed: string;
      try {
        claimed = await claimFree((suffix) => suffixedPath(beside, suffix));
      } catch {
        return this.#opened(folder.inside(name));
      }
      this.#opened(claimed);
      await this.#moveOut(folder.inside(name), claimed, { last: false });
    })());
  }

  /**
   * Moves the file ffmpeg creates at `inner` onto `claimed`; the folder goes
   * after the `last` file it will hold. A file that cannot be moved stays
   * where it is, and the log says where.
   */
  async #moveOut(inner: string, claimed: string, { last }: { last: boolean }): Promise<void> {
    try {
      if (await this.#folder!.moveOut(inner, claimed, this.gone) && last) {
        await this.#folder!.remove();
      }
    } catch {
      if (this.file === claimed) this.#opened(inner, { counted: true });
    }
  }

  #opened(file: string, { counted = false } = {}): void {
    this.opening = false;
    this.file = file;
    this.#onFile(file, counted);
  }
}
