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
