/**
 * A raw TCP client for the HTTP tests: it writes what a test says, byte for
 * byte, and notices when the server closes the connection.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A connection to 127.0.0.1 that writes text and keeps all it reads. */
export class TcpClient {
  /** The connection. */
  readonly conn: Deno.TcpConn;
  /**
   * All the server sent, once it closed the connection (or it was closed
   * here); a client that does not read gets it only once closed here.
   */
  readonly received: Promise<string>;
  /** When the server closed it, in ms after it opened; undefined while open. */
  closedAfterMs: number | undefined;
  #text = "";
  #closedHere!: () => void;

  private constructor(conn: Deno.TcpConn, read: boolean) {
    this.conn = conn;
    const opened = performance.now();
    this.received = read
      ? this.#read().then(() => {
        this.closedAfterMs = performance.now() - opened;
        return this.#text;
      })
      : new Promise((resolve) => this.#closedHere = () => resolve(""));
  }

  /**
   * Connects to `port` and writes `text`; with `read` false it never reads,
   * as a client whose window stays shut.
   */
  static async open(
    port: number,
    options: { text?: string; read?: boolean } = {},
  ): Promise<TcpClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const client = new TcpClient(conn, options.read ?? true);
    if (options.text) await client.write(options.text);
    return client;
  }

  /** What has come so far. */
  get text(): string {
    return this.#text;
  }

  /** Writes `text`; false if the connection is gone. */
  async write(text: string): Promise<boolean> {
    try {
      await this.conn.write(encoder.encode(text));
      return true;
    } catch {
      return false;
    }
  }

  /** Whether the server closed it within `ms`. */
  async closedWithin(ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
    const closed = await Promise.race([this.received.then(() => true as const), late]);
    clearTimeout(timer);
    return closed;
  }

  /** Closes it here, and waits for the reading to end. */
  async close(): Promise<void> {
    try {
      this.conn.close();
    } catch {
      // Closed already.
    }
    this.#closedHere?.();
    await this.received;
  }

  async #read(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (let n; (n = await this.conn.read(buffer)) !== null;) {
        this.#text += decoder.decode(buffer.subarray(0, n), { stream: true });
      }
    } catch {
      // Reset, or closed here.
    }
  }
}
