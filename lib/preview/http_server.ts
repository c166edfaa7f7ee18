import { concatBytes } from "../util/concat_bytes.ts";
import { pause } from "../util/pause.ts";
import {
  headEnd,
  parseRequestHead,
  type RequestHead,
  RequestHeadError,
} from "./http_request_head.ts";

/** Options for an {@linkcode HttpServer}. */
export interface HttpServerOptions {
  /** The address to listen on. */
  hostname: string;
  /** The port to listen on; 0 for any free one. */
  port: number;
  /**
   * The most connections open at once. A new one beyond it takes the place of
   * the connection that has waited longest for a request, or is closed at
   * once when every connection is busy answering one.
   * @default {128}
   */
  maxConnections?: number;
  /**
   * How long a request's head may take to arrive whole, in ms, counted from
   * the connection's opening or from the end of the response before it: an
   * idle connection, a half head or a head sent a byte at a time are closed
   * after this long.
   * @default {5000}
   */
  headersTimeoutMs?: number;
  /**
   * How long a write to a client may make no progress, in ms, before the
   * connection is closed: a client that stops reading frees its place.
   * @default {10000}
   */
  writeTimeoutMs?: number;
  /**
   * The largest request head, in bytes.
   * @default {16384}
   */
  maxHeadBytes?: number;
  /**
   * Called when a handler throws (the client gets 500), and when accepting a
   * connection fails (such as for want of file descriptors), at most once
   * every 10 s: the server outlasts that by retrying, with pauses doubling
   * from 10 ms to 1 s.
   * @default {undefined} nothing is said
   */
  onError?: (error: HttpServerError) => void;
}

/** Something that went wrong in the server, for the log. */
export type HttpServerError =
  | { type: "handler"; error: unknown }
  | { type: "accept"; error: unknown };

/** Counters of an {@linkcode HttpServer}'s connections. */
export interface HttpServerStats {
  /** Connections open now. */
  connections: number;
  /** Connections accepted, all told. */
  accepted: number;
  /** Connections closed at once, or made to give way, because as many as allowed were open. */
  refused: number;
  /** Connections closed because a request's head did not come whole in time (idle ones too). */
  timedOut: number;
  /** Connections closed because a write made no progress in time. */
  stalled: number;
  /** Connections dropped for a head that broke the syntax or the limits (answered 400, 431 or 505). */
  malformed: number;
  /** Times accepting a connection failed (such as for want of file descriptors). */
  acceptErrors: number;
}

const encoder = new TextEncoder();
const CRLF = encoder.encode("\r\n");
const LAST_CHUNK = encoder.encode("0\r\n\r\n");
/** Chunks up to this size are copied into one write with their framing; larger ones are written as they are. */
const COPY_CHUNK_BYTES = 16 * 1024;
/** The pauses between failed accepts. */
const ACCEPT_BACKOFF = { firstMs: 10, maxMs: 1000 } as const;
/** The shortest time between two reports of failed accepts. */
const ACCEPT_REPORT_MS = 10_000;
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

/** One client connection and what it is doing, for the timeouts and the cap. */
interface Connection {
  conn: Deno.TcpConn;
  /** When it began to wait for a request's head (ms, performance.now), or undefined while it answers one. */
  waitingSince: number | undefined;
  /** When the write under way began, or undefined while none is. */
  writingSince: number | undefined;
  /** Ends once the connection is closed and forgotten. */
  done: Promise<void>;
  closed: boolean;
}

/**
 * A small HTTP/1.1 server for a `Request => Response` handler, made to hold
 * against clients that connect and never finish: it caps its connections,
 * closes those that send no whole request in time or stop reading what they
 * are sent, and outlasts running out of file descriptors. `Deno.serve` has
 * none of these limits, and its accept loop ends the process on `EMFILE`.
 *
 * GET and HEAD are what it is for: a request body is never read (the
 * connection closes after the response instead). Responses go out chunked
 * on keep-alive connections (HTTP/1.0 clients get one response a
 * connection); a response body is read a chunk at a time, as the client
 * takes it, so a slow client holds at most one chunk here.
 *
 * @example
 * ```ts
 * const server = new HttpServer(() => new Response("hello"), { hostname: "127.0.0.1", port: 0 });
 * console.log(server.addr.port);
 * await server.shutdown(1000);
 * ```
 */
export class HttpServer {
  /** The address it listens on. */
  readonly addr: Deno.NetAddr;
  #handler: (request: Request) => Response | Promise<Response>;
  #listener: Deno.TcpListener;
  #maxConnections: number;
  #headersTimeoutMs: number;
  #writeTimeoutMs: number;
  #maxHeadBytes: number;
  #onError: (error: HttpServerError) => void;
  /** Every connection until its serving ends, closed or not. */
  #connections = new Set<Connection>();
  /** How many of them are not closed yet: what the cap counts. */
  #open = 0;
  #sweeper: ReturnType<typeof setInterval>;
  #accepting: Promise<void>;
  #closing = false;
  #stop = new AbortController();
  #stats: HttpServerStats = {
    connections: 0,
    accepted: 0,
    refused: 0,
    timedOut: 0,
    stalled: 0,
    malformed: 0,
    acceptErrors: 0,
  };

  /**
   * Listens at once and serves until {@linkcode HttpServer.shutdown}.
   *
   * @throws {Deno.errors.AddrInUse} If the address is taken (and as `Deno.listen` throws).
   */
  constructor(
    handler: (request: Request) => Response | Promise<Response>,
    options: HttpServerOptions,
  ) {
    const {
      maxConnections = 128,
      headersTimeoutMs = 5000,
      writeTimeoutMs = 10_000,
      maxHeadBytes = 16 * 1024,
      onError = () => {},
    } = options;
    if (!(maxConnections >= 1)) throw new RangeError("The most connections must be 1 or more");
    if (!(headersTimeoutMs > 0) || !(writeTimeoutMs > 0)) {
      throw new RangeError("Timeouts must be more than 0 ms");
    }
    this.#handler = handler;
    this.#maxConnections = maxConnections;
    this.#headersTimeoutMs = headersTimeoutMs;
    this.#writeTimeoutMs = writeTimeoutMs;
    this.#maxHeadBytes = maxHeadBytes;
    this.#onError = onError;
    this.#listener = Deno.listen({ hostname: options.hostname, port: options.port });
    this.addr = this.#listener.addr;
    // One timer for every connection's deadlines, a tenth of the shorter timeout apart.
    const sweepMs = Math.max(10, Math.min(headersTimeoutMs, writeTimeoutMs) / 10);
    this.#sweeper = setInterval(() => this.#sweep(), sweepMs);
    this.#accepting = this.#accept();
  }

  /** The counters now, a copy. */
  get stats(): HttpServerStats {
    return { ...this.#stats, connections: this.#open };
  }

  /**
   * Stops listening and closes every connection waiting for a request at
   * once; responses under way get `graceMs` more to finish, then their
   * connections are closed too.
   */
  async shutdown(graceMs: number): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#stop.abort();
      this.#listener.close();
      clearInterval(this.#sweeper);
    }
    await this.#accepting;
    for (const connection of this.#connections) {
      if (connection.waitingSince !== undefined) this.#close(connection);
    }
    const all = Promise.all([...this.#connections].map((connection) => connection.done));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([all, new Promise((resolve) => timer = setTimeout(resolve, graceMs))]);
    clearTimeout(timer);
    for (const connection of this.#connections) this.#close(connection);
    await all;
  }

  async #accept(): Promise<void> {
    let backoffMs = 0;
    let reportedAt = -Infinity;
    while (!this.#closing) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#closing) return;
        this.#stats.acceptErrors++;
        if (performance.now() - reportedAt >= ACCEPT_REPORT_MS) {
          reportedAt = performance.now();
          this.#onError({ type: "accept", error });
        }
        backoffMs = Math.min(backoffMs * 2 || ACCEPT_BACKOFF.firstMs, ACCEPT_BACKOFF.maxMs);
        await pause(backoffMs, this.#stop.signal);
        continue;
      }
      backoffMs = 0;
      this.#stats.accepted++;
      if (this.#closing) {
        conn.close();
        return;
      }
      if (this.#open >= this.#maxConnections && !this.#makeRoom()) {
        this.#stats.refused++;
        conn.close();
        continue;
      }
      this.#serveConnection(conn);
    }
  }

  /** Closes the connection that has waited longest for a request; false if every one is busy. */
  #makeRoom(): boolean {
    let oldest: Connection | undefined;
    for (const connection of this.#connections) {
      const since = connection.waitingSince;
      if (connection.closed || since === undefined) continue;
      if (oldest === undefined || since < oldest.waitingSince!) oldest = connection;
    }
    if (oldest === undefined) return false;
    this.#stats.refused++;
    this.#close(oldest);
    return true;
  }

  #serveConnection(conn: Deno.TcpConn): void {
    try {
      conn.setNoDelay(true);
    } catch {
      // Already reset by the client.
    }
    const connection: Connection = {
      conn,
      waitingSince: performance.now(),
      writingSince: undefined,
      done: Promise.resolve(),
      closed: false,
    };
    this.#connections.add(connection);
    this.#open++;
    connection.done = this.#serve(connection).catch(() => {}).finally(() => {
      this.#close(connection);
      this.#connections.delete(connection);
    });
  }

  #close(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    this.#open--;
    try {
      connection.conn.close();
    } catch {
      // Closed already.
    }
  }

  /** Closes the connections past their deadlines. */
  #sweep(): void {
    const now = performance.now();
    for (const connection of this.#connections) {
      if (connection.closed) continue;
      if (
        connection.waitingSince !== undefined &&
        now - connection.waitingSince > this.#headersTimeoutMs
      ) {
        this.#stats.timedOut++;
        this.#close(connection);
      } else if (
        connection.writingSince !== undefined &&
        now - connection.writingSince > this.#writeTimeoutMs
      ) {
        this.#stats.stalled++;
        this.#close(connection);
      }
    }
  }

  /** Serves one connection's requests until it closes, or a response ends it. */
  async #serve(connection: Connection): Promise<void> {
    const buffer = new Uint8Array(this.#maxHeadBytes);
    let filled = 0;
    while (!connection.closed) {
      connection.waitingSince = performance.now();
      const head = await this.#readHead(connection, buffer, filled);
      if (head === undefined) return;
      connection.waitingSince = undefined;
      const { end } = head;
      let parsed: RequestHead;
      let request: Request;
      try {
        parsed = parseRequestHead(buffer.subarray(0, end));
        request = this.#request(parsed, connection.conn.localAddr);
      } catch (error) {
        this.#stats.malformed++;
        const status = error instanceof RequestHeadError ? error.status : 400;
        const message = error instanceof Error ? error.message : "Bad request";
        await this.#respond(connection, new Response(`${message}\n`, { status }), {
          head: false,
          keepAlive: false,
          chunked: true,
        });
        return;
      }
      const response = await this.#answer(request);
      const field = (name: string) => parsed.headers.find(([n]) => n === name)?.[1];
      // A body is never read, so a request with one leaves nothing to read the next from.
      const hasBody = field("transfer-encoding") !== undefined ||
        (field("content-length") ?? "0") !== "0";
      const closeAsked = (field("connection") ?? "").toLowerCase().split(/ *, */).includes("close");
      const http11 = parsed.version === "HTTP/1.1";
      const keepAlive = http11 && !hasBody && !closeAsked && !this.#closing;
      const finished = await this.#respond(connection, response, {
        head: request.method === "HEAD",
        keepAlive,
        chunked: http11,
      });
      if (!finished || !keepAlive) return;
      // Whatever followed the head is the start of the next request.
      buffer.copyWithin(0, end, head.filled);
      filled = head.filled - end;
    }
  }

  /**
   * Reads until `buffer` holds a whole head: its end and how much was read,
   * or undefined if the client closed, the deadline closed it, or the head
   * would not fit (answered 431).
   */
  async #readHead(
    connection: Connection,
    buffer: Uint8Array,
    filled: number,
  ): Promise<{ end: number; filled: number } | undefined> {
    let end = headEnd(buffer.subarray(0, filled));
    while (end === -1) {
      if (filled === buffer.length) {
        this.#stats.malformed++;
        connection.waitingSince = undefined;
        await this.#respond(
          connection,
          new Response(`Request head over ${buffer.length} bytes\n`, { status: 431 }),
          { head: false, keepAlive: false, chunked: true },
        );
        return undefined;
      }
      let read: number | null;
      try {
        read = await connection.conn.read(buffer.subarray(filled));
      } catch {
        return undefined;
      }
      if (read === null) return undefined;
      const from = Math.max(0, filled - 3);
      filled += read;
      end = headEnd(buffer.subarray(0, filled), from);
    }
    return { end, filled };
  }

  /** The Request for a head, or a throw for one no handler should see. */
  #request(head: RequestHead, local: Deno.Addr): Request {
    const hosts = head.headers.filter(([name]) => name === "host").map(([, value]) => value);
    if (hosts.length > 1) throw new RequestHeadError(400, "More than one Host");
    const [host] = hosts;
    if (host !== undefined && !/^[^\s/?#@\\]+$/.test(host)) {
      throw new RequestHeadError(400, "The Host is not a host and port");
    }
    if (host === undefined && head.version === "HTTP/1.1") {
      throw new RequestHeadError(400, "HTTP/1.1 needs a Host");
    }
    let url: string;
    if (head.target.startsWith("/")) {
      // Joined as text: a target like //example.com/ stays a path on this host.
      const { hostname, port } = local as Deno.NetAddr;
      const authority = host ??
        (hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`);
      url = `http://${authority}${head.target}`;
    } else if (/^http:\/\//i.test(head.target)) {
      url = head.target;
    } else {
      throw new RequestHeadError(400, "The target is neither a path nor an http: URL");
    }
    const headers = new Headers();
    for (const [name, value] of head.headers) headers.append(name, value);
    return new Request(url, { method: head.method, headers });
  }

  async #answer(request: Request): Promise<Response> {
    try {
      return await this.#handler(request);
    } catch (error) {
      this.#onError({ type: "handler", error });
      return new Response("Internal server error\n", { status: 500 });
    }
  }

  /**
   * Writes `response`; true once it is all written, false if the connection
   * broke, stalled or closed first, or the body failed.
   */
  async #respond(
    connection: Connection,
    response: Response,
    how: { head: boolean; keepAlive: boolean; chunked: boolean },
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
      return await this.#write(connection, pending);
    }
    const reader = body.getReader();
    // A body that fails (a viewer dropped for taking nothing) ends the connection at once,
    // even while a write to it waits.
    reader.closed.catch(() => this.#close(connection));
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (value.length === 0) continue;
        if (!chunked) {
          if (!(await this.#write(connection, concatBytes([pending, value])))) return false;
          pending = new Uint8Array(0);
          continue;
        }
        const size = encoder.encode(`${value.length.toString(16)}\r\n`);
        if (value.length <= COPY_CHUNK_BYTES) {
          if (!(await this.#write(connection, concatBytes([pending, size, value])))) return false;
        } else {
          if (!(await this.#write(connection, concatBytes([pending, size])))) return false;
          if (!(await this.#write(connection, value))) return false;
        }
        // A chunk's CRLF goes out with what follows it.
        pending = CRLF;
      }
      if (!chunked) return pending.length === 0 || await this.#write(connection, pending);
      return await this.#write(connection, concatBytes([pending, LAST_CHUNK]));
    } catch {
      return false;
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  /** Writes all of `bytes`; false if the connection broke or was closed. */
  async #write(connection: Connection, bytes: Uint8Array): Promise<boolean> {
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
}
