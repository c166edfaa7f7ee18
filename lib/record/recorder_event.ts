import { formatDuration } from "../cli/duration.ts";

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
