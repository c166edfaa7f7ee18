import { basename, dirname, join, resolve } from "node:path";
import { pause } from "../util/pause.ts";

/**
 * A folder of the recorder's own beside a recording (`.udpcam-recording-*`,
 * mode 0700), where ffmpeg creates each file before it is moved to the name
 * the recorder claimed.
 *
 * Claiming a name (creating it, empty, refusing one that exists) and then
 * handing the name to ffmpeg would leave a gap: anyone who may write in the
 * folder could put a link in the claimed file's place, and ffmpeg would
 * follow it and write over whatever it names. Here ffmpeg opens only a path
 * in this folder, which nobody else may write in, and the file it created is
 * renamed over the claimed one: a rename replaces the name itself, link or
 * not, and never writes through it. ffmpeg keeps writing to the file it
 * opened, now under its claimed name.
 *
 * Not on Windows, where a file ffmpeg holds open cannot be renamed.
 */
export class RecordFolder {
  /** The folder's absolute path. */
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** Makes a new folder beside `recording`, in the same folder so that a rename moves the file. */
  static async create(recording: string): Promise<RecordFolder> {
    const folder = await Deno.makeTempDir({
      dir: dirname(resolve(recording)),
      prefix: ".udpcam-recording-",
    });
    return new RecordFolder(folder);
  }

  /** The path in this folder for a file named like `recording`. */
  inside(recording: string): string {
    return join(this.path, basename(recording));
  }

  /**
   * Moves `inner`, a file of this folder, onto `target` once ffmpeg has
   * created it: looks for it at once, then after pauses that double from
   * 5 ms to 250 ms, until `stop` aborts (ffmpeg exited), and then once more.
   * Resolves with whether it moved the file; false if ffmpeg never created it.
   *
   * @throws {Error} If the rename fails for another reason than the file's absence.
   */
  async moveOut(inner: string, target: string, stop: AbortSignal): Promise<boolean> {
    for (let waitMs = 5;; waitMs = Math.min(2 * waitMs, 250)) {
      const last = stop.aborted;
      try {
        await Deno.rename(inner, target);
        return true;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      if (last) return false;
      await pause(waitMs, stop);
    }
  }

  /** Removes the folder if it is empty; one that still holds a file stays. */
  async remove(): Promise<void> {
    try {
      await Deno.remove(this.path);
    } catch {
      // Gone already, or a file is left in it.
    }
  }
}
