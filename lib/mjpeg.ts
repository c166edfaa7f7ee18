/** The multipart boundary of `/stream.mjpg`. */
export const BOUNDARY = "udpcamframe";

/** The `Content-Type` of `/stream.mjpg`. */
export const MJPEG_CONTENT_TYPE = `multipart/x-mixed-replace; boundary=${BOUNDARY}`;

const encoder = new TextEncoder();

/** The bytes that open the stream: the first boundary. */
export const MJPEG_PREAMBLE: Uint8Array = encoder.encode(`--${BOUNDARY}\r\n`);

/**
 * The bytes written after a part's JPEG. Each part is followed at once by the
 * next boundary, because browsers show a part only when they see the boundary
 * that ends it: without it every frame would show one frame late.
 */
export const MJPEG_PART_END: Uint8Array = encoder.encode(`\r\n--${BOUNDARY}\r\n`);

/** Fields of one part's headers. */
export interface MjpegPart {
  /** The JPEG's size. */
  length: number;
  /** The capture time on this host's clock, ms since the epoch. */
  timestamp: number;
  /** The frame number. */
  frame: number;
  /** On a frame drawn in place of video, why there is none (`lost`, `waiting`, `refused`). */
  signal?: string;
}

/**
 * The headers of one part: type, length, and the capture time in seconds
 * since the epoch with microseconds, as `X-Timestamp` (the convention of
 * mjpg-streamer and µStreamer); a frame drawn in place of video also carries
 * `X-Signal`.
 */
export function mjpegPartHeader(part: MjpegPart): Uint8Array {
  const signal = part.signal === undefined ? "" : `X-Signal: ${part.signal}\r\n`;
  return encoder.encode(
    `Content-Type: image/jpeg\r\nContent-Length: ${part.length}\r\n` +
      `X-Timestamp: ${(part.timestamp / 1000).toFixed(6)}\r\nX-Frame: ${part.frame}\r\n` +
      `${signal}\r\n`,
  );
}
