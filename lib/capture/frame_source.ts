import type { Frame } from "../hub/frame.ts";

/** What happened to a source, for the sender's log. */
export type SourceEvent =
  | { type: "source_started"; source: string; detail?: string }
  | { type: "source_failed"; source: string; error: string }
  | { type: "source_restarting"; source: string; attempt: number; delayMs: number }
  | { type: "source_ended"; source: string };

/** A producer of JPEG frames: a camera or file through ffmpeg, or the built-in test pattern. */
export interface FrameSource {
  /** Yields frames until the source ends for good or {@linkcode FrameSource.close} is called. */
  frames(): AsyncIterable<Frame>;
  /** Stops the source and every child process it started. Safe to call twice. */
  close(): Promise<void>;
}
