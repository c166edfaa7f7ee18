/** The largest JPEG udpcam handles, in bytes: the bound on what a frame in progress may hold. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** One encoded video frame as it travels through udpcam. */
export interface Frame {
  /** A whole baseline or progressive JPEG image, SOI to EOI. */
  data: Uint8Array;
  /** When the frame reached the sender process, in milliseconds since the Unix epoch. */
  captureTime: number;
}

/** A whole frame ready to show. */
export interface ReceivedFrame {
  /** The whole JPEG. */
  data: Uint8Array<ArrayBuffer>;
  /** The sender's capture time, on the sender's clock (ms since the epoch). */
  captureTime: number;
  /** The capture time moved onto this receiver's clock, for latency. */
  localCaptureTime: number;
  /** When the last fragment arrived, on this receiver's clock (ms since the epoch). */
  receivedAt: number;
  /** Pixel size read from the JPEG header. */
  width: number;
  /** Pixel size read from the JPEG header. */
  height: number;
  /** The frame number within the session. */
  frame: number;
  /**
   * Set on a frame drawn by the receiver in place of video, saying why there
   * is none; absent on a frame that came from the sender.
   */
  signal?: FrameSignal;
}

/**
 * Why the receiver shows a frame of its own instead of video: the signal was
 * `lost` after frames had come, no frame came yet (`waiting`), or the sender
 * `refused` this receiver.
 */
export type FrameSignal = "lost" | "waiting" | "refused";
