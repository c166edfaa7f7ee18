/**
 * A minimal MJPEG client for tests and the bench: reads `/stream.mjpg` and
 * hands over each part with its headers and the time it was read.
 *
 * @module
 */

/** One part of a multipart MJPEG stream. */
export interface MjpegPart {
  headers: Record<string, string>;
  body: Uint8Array;
  /** When the part's last byte was read, in ms since the epoch. */
  readAt: number;
}

import { wallClock } from "../lib/util/clock.ts";

const CRLFCRLF = [13, 10, 13, 10];

function indexOfSequence(haystack: Uint8Array, needle: number[], from: number): number {
  for (
    let i = haystack.indexOf(needle[0], from);
    i !== -1;
    i = haystack.indexOf(needle[0], i + 1)
  ) {
    if (i + needle.length > haystack.length) return -1;
    let match = true;
    for (let j = 1; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        match = false;
        break;
      }
    }
    if (match) return i;
  }
  return -1;
}

/**
 * Reads parts from `url` for `durationMs` (or until `maxParts`), calling
 * `onPart` for each. Each part must carry `Content-Length`.
 */
export async function readMjpeg(
  url: string,
  options: { durationMs: number; maxParts?: number; onPart: (part: MjpegPart) => void },
): Promise<void> {
  const deadline = Date.now() + options.durationMs;
  const response = await fetch(url);
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(`GET ${url}: ${response.status}`);
  }
  const boundary = /boundary=([^;]+)/.exec(response.headers.get("content-type") ?? "")?.[1];
  if (boundary === undefined) throw new Error("no multipart boundary");
  let buffer = new Uint8Array(0);
  let parts = 0;
  const reader = response.body.getReader();
  // Cancelling the reader ends a read that is waiting when time is up.
  const timer = setTimeout(() => reader.cancel().catch(() => {}), options.durationMs);
  try {
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      const joined = new Uint8Array(buffer.length + value.length);
      joined.set(buffer);
      joined.set(value, buffer.length);
      buffer = joined;
      for (;;) {
        const headerEnd = indexOfSequence(buffer, CRLFCRLF, 0);
        if (headerEnd === -1) break;
        const headerText = new TextDecoder().decode(buffer.subarray(0, headerEnd));
        const headers: Record<string, string> = {};
        for (const line of headerText.split("\r\n")) {
          const colon = line.indexOf(":");
          if (colon > 0) {
            headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
          }
        }
        if (!headerText.includes(`--${boundary}`)) {
          throw new Error(`part without boundary: ${headerText}`);
        }
        const length = Number(headers["content-length"]);
        if (!Number.isInteger(length)) {
          throw new Error(`part without Content-Length: ${headerText}`);
        }
        const start = headerEnd + 4;
        if (buffer.length < start + length) break;
        options.onPart({ headers, body: buffer.slice(start, start + length), readAt: wallClock() });
        buffer = buffer.slice(start + length);
        if (++parts === options.maxParts) return;
      }
    }
  } catch (error) {
    if (Date.now() < deadline) throw error;
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
}
