import { pause } from "../util/pause.ts";
import { parseRequestHead, type RequestHead, RequestHeadError } from "./http_request_head.ts";
import type { HttpServerError, HttpServerOptions, HttpServerStats } from "./http_server_options.ts";
import { type HttpConnection, readHead } from "./_http_connection.ts";
import { writeResponse } from "./_http_response_writer.ts";
import { requestFromHead } from "./_request_from_head.ts";

/** The pauses between failed accepts. */
const ACCEPT_BACKOFF = { firstMs: 10, maxMs: 1000 } as const;
/** The shortest time between two reports of failed accepts. */
const ACCEPT_REPORT_MS = 10_000;

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
  #connections = new Set<HttpConnection>();
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
    let oldest: HttpConnection | undefined;
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
    const connection: HttpConnection = {
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

  #close(connection: HttpConnection): void {
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
  async #serve(connection: HttpConnection): Promise<void> {
    const buffer = new Uint8Array(this.#maxHeadBytes);
    let filled = 0;
    while (!connection.closed) {
      connection.waitingSince = performance.now();
      const head = await readHead(connection, buffer, filled);
      if (head === "closed") return;
      if (head === "full") {
        this.#stats.malformed++;
        connection.waitingSince = undefined;
        await this.#respond(
          connection,
          new Response(`Request head over ${buffer.length} bytes\n`, { status: 431 }),
          { head: false, keepAlive: false, chunked: true },
        );
        return;
      }
      connection.waitingSince = undefined;
      const { end } = head;
      let parsed: RequestHead;
      let request: Request;
      try {
        parsed = parseRequestHead(buffer.subarray(0, end));
        request = requestFromHead(parsed, connection.conn.localAddr);
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

  async #answer(request: Request): Promise<Response> {
    try {
      return await this.#handler(request);
    } catch (error) {
      this.#onError({ type: "handler", error });
      return new Response("Internal server error\n", { status: 500 });
    }
  }

  /** Writes `response` as {@linkcode writeResponse} does, a failing body closing the connection. */
  #respond(
    connection: HttpConnection,
    response: Response,
    how: { head: boolean; keepAlive: boolean; chunked: boolean },
  ): Promise<boolean> {
    return writeResponse(connection, response, {
      ...how,
      onBodyError: () => this.#close(connection),
    });
  }
}
