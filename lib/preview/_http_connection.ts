/**
 * A client connection of `HttpServer`, as its deadlines see it, and the
 * reading of a request's head from it.
 *
 * @module
 */
import { headEnd } from "./http_request_head.ts";

/** One client connection and what it is doing, for the timeouts and the cap. */
export interface HttpConnection {
  /** The client's TCP connection. */
  conn: Deno.TcpConn;
  /** When it began to wait for a request's head (ms, performance.now), or undefined while it answers one. */
  waitingSince: number | undefined;
  /** When the write under way began, or undefined while none is. */
  writingSince: number | undefined;
  /** Ends once the connection is closed and forgotten. */
  done: Promise<void>;
  /** Whether it has been closed. */
  closed: boolean;
}

/**
 * Reads until `buffer` holds a whole head: its end and how much was read;
 * `"closed"` if the client closed or the deadline closed it, `"full"` if the
 * head would not fit.
 */
export async function readHead(
  connection: HttpConnection,
  buffer: Uint8Array,
  filled: number,
): Promise<{ end: number; filled: number } | "closed" | "full"> {
  let end = headEnd(buffer.subarray(0, filled));
  while (end === -1) {
    if (filled === buffer.length) return "full";
    let read: number | null;
    try {
      read = await connection.conn.read(buffer.subarray(filled));
    } catch {
      return "closed";
    }
    if (read === null) return "closed";
    const from = Math.max(0, filled - 3);
    filled += read;
    end = headEnd(buffer.subarray(0, filled), from);
  }
  return { end, filled };
}
