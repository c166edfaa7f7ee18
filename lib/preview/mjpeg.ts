const encoder = new TextEncoder();

/**
 * A new boundary for one `/stream.mjpg` response: `udpcam` and 128 random
 * bits in hex. Made before any frame of the response exists, so no frame can
 * be made to hold it, and it is never the same twice, so nothing one viewer
 * learns applies to another's stream.
 */
export function mjpegBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `udpcam${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The `Content-Type` of a `/stream.mjpg` response whose parts `boundary` separates. */
export function mjpegContentType(boundary: string): string {
  return `multipart/x-mixed-replace; boundary=${boundary}`;
}

/** The bytes that open the stream: the first boundary. */
export function mjpegPreamble(boundary: string): Uint8Array {
  return encoder.encode(`--${boundary}\r\n`);
}

/**
 * The bytes written after a part's JPEG. Each part is followed at once by the
 * next boundary, because browsers show a part only when they see the boundary
 * that ends it: without it every frame would show one frame late.
 */
export function mjpegPartEnd(boundary: string): Uint8Array {
  return encoder.encode(`\r\n--${boundary}\r\n`);
}

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
  /** In the station's `grid.mjpg`, the camera the frame is of (a `CAMERA_NAME`). */
  camera?: string;
}

/**
 * The headers of one part: type, length, and the capture time in seconds
 * since the epoch with microseconds, as `X-Timestamp` (the convention of
 * mjpg-streamer and µStreamer); a frame drawn in place of video also carries
 * `X-Signal`, and a frame of the station's grid `X-Camera`.
 */
export function mjpegPartHeader(part: MjpegPart): Uint8Array {
  const signal = part.signal === undefined ? "" : `X-Signal: ${part.signal}\r\n`;
  const camera = part.camera === undefined ? "" : `X-Camera: ${part.camera}\r\n`;
  return encoder.encode(
    `Content-Type: image/jpeg\r\nContent-Length: ${part.length}\r\n${camera}` +
      `X-Timestamp: ${(part.timestamp / 1000).toFixed(6)}\r\nX-Frame: ${part.frame}\r\n` +
      `${signal}\r\n`,
  );
}
