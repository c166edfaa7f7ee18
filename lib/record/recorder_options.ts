import type { ReceivedFrame } from "../hub/frame.ts";
import type { LatestValue } from "../hub/latest_value.ts";
import type { RecorderEvent } from "./recorder_event.ts";

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
