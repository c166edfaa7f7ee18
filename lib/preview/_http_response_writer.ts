/**
 * How `HttpServer` writes a response: the status line and fields,
 * the body chunked (or as it is for HTTP/1.0), each write watched so that a
 * client that stops reading can be found and closed.
 *
 * @module
 */
import { concatBytes } from "../util/concat_bytes.ts";
import type { HttpConnection } from "./_http_connection.ts";

const encoder = new TextEncoder();
const CRLF = encoder.encode("\r\n");
const LAST_CHUNK = encoder.encode("0\r\n\r\n");
/** Chunks up to this size are copied into one write with their framing; larger ones are written as they are. */
const COPY_CHUNK_BYTES = 16 * 1024;
/** Header fields the server writes itself, never taken from a handler's response. */
const FRAMING_FIELDS = new Set(["connection", "content-length", "keep-alive", "transfer-encoding"]);
const REASONS: Record<number, string> = {
  200: "OK",
  204: "No Content",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
  505: "HTTP Version Not Supported",
};

/** How {@linkcode writeResponse} frames a response. */
export interface WriteResponseOptions {
  /** Whether it answers HEAD: the fields without the body. */
  head: boolean;
  /** Whether the connection stays open after it. */
  keepAlive: boolean;
  /** Whether the body goes out chunked (HTTP/1.1) or as it is, the connection closing after it. */
  chunked: boolean;
  /** Called when the body fails, to close the connection at once. */
  onBodyError: () => void;
}

/**
 * Writes `response`; true once it is all written, false if the connection
 * broke, stalled or closed first, or the body failed.
 */
export async function writeResponse(
  connection: HttpConnection,
  response: Response,
  how: WriteResponseOptions,
): Promise<boolean> {
  const body = how.head ? null : response.body;
  const chunked = body !== null && how.chunked;
  const keepAlive = how.keepAlive && (body === null || chunked);
  let text = `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? ""}\r\n`;
  for (const [name, value] of response.headers) {
    if (!FRAMING_FIELDS.has(name)) text += `${name}: ${value}\r\n`;
  }
  if (chunked) text += "transfer-encoding: chunked\r\n";
  else if (body === null && !how.head) text += "content-length: 0\r\n";
  text += keepAlive ? "\r\n" : "connection: close\r\n\r\n";
  let pending = encoder.encode(text);
  if (body === null) {
    if (how.head) await response.body?.cancel().catch(() => {});
    return await writeAll(connection, pending);
  }
  const reader = body.getReader();
  // A body that fails (a viewer dropped for taking nothing) ends the connection at once,
  // even while a write to it waits.
  reader.closed.catch(() => how.onBodyError());
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.length === 0) continue;
      if (!chunked) {
        if (!(await writeAll(connection, concatBytes([pending, value])))) return false;
        pending = new Uint8Array(0);
        continue;
      }
      const size = encoder.encode(`${value.length.toString(16)}\r\n`);
      if (value.length <= COPY_CHUNK_BYTES) {
        if (!(await writeAll(connection, concatBytes([pending, size, value])))) return false;
      } else {
        if (!(await writeAll(connection, concatBytes([pending, size])))) return false;
        if (!(await writeAll(connection, value))) return false;
      }
      // A chunk's CRLF goes out with what follows it.
      pending = CRLF;
    }
    if (!chunked) return pending.length === 0 || await writeAll(connection, pending);
    return await writeAll(connection, concatBytes([pending, LAST_CHUNK]));
  } catch {
    return false;
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Writes all of `bytes`; false if the connection broke or was closed. */
async function writeAll(connection: HttpConnection, bytes: Uint8Array): Promise<boolean> {
  let offset = 0;
  try {
    while (offset < bytes.length) {
      if (connection.closed) return false;
      connection.writingSince = performance.now();
      offset += await connection.conn.write(bytes.subarray(offset));
    }
    return true;
  } catch {
    return false;
  } finally {
    connection.writingSince = undefined;
  }
}
