/** One encoded video frame as it travels through udpcam. */
export interface Frame {
  /** A whole baseline or progressive JPEG image, SOI to EOI. */
  data: Uint8Array;
  /** When the frame reached the sender process, in milliseconds since the Unix epoch. */
  captureTime: number;
}
