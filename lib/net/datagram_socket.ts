/**
 * A bound UDP socket as both tools use it: sends one datagram or many at a
 * time, and hands over whatever has arrived.
 *
 * Two kinds: Deno's own socket ({@linkcode denoDatagramSocket}), everywhere,
 * one datagram a call; and on Linux the system's socket through FFI
 * (`system_udp_socket.ts`), many datagrams a call.
 *
 * @module
 */

/** Called with each datagram received, and who sent it; the bytes are valid until it returns. */
export type OnDatagram = (datagram: Uint8Array, from: Deno.NetAddr) => void;

/** A bound UDP socket. */
export interface DatagramSocket {
  /** Which kind it is: `"deno"` or `"system"`. */
  readonly kind: string;
  /** The address it is bound to. */
  readonly addr: Deno.NetAddr;
  /**
   * Sends one datagram.
   *
   * @throws As `Deno.DatagramConn.send` does, on failure or once closed.
   */
  send(datagram: Uint8Array, to: Deno.NetAddr): Promise<void>;
  /**
   * Sends `datagrams[i]` to `to[i]`, in order; resolves with how many failed
   * (each of the others went out).
   */
  sendMany(datagrams: readonly Uint8Array[], to: readonly Deno.NetAddr[]): Promise<number>;
  /**
   * Waits until at least one datagram has arrived, then calls `onDatagram`
   * with each one that has, in order.
   *
   * @throws {Deno.errors.BadResource} Once closed; as `receive` does on other failures.
   */
  receiveSome(onDatagram: OnDatagram, bufferSize: number): Promise<void>;
  /** Closes it: a `receiveSome` waiting ends, and later calls fail. */
  close(): void;
}

/**
 * Deno's socket as a {@linkcode DatagramSocket}; returns `socket` itself if it already is one.
 *
 * @param socket From `Deno.listenDatagram`; owned by what is returned.
 */
export function denoDatagramSocket(socket: Deno.DatagramConn | DatagramSocket): DatagramSocket {
  return "receiveSome" in socket ? socket : new DenoDatagramSocket(socket);
}

class DenoDatagramSocket implements DatagramSocket {
  readonly kind = "deno";
  #conn: Deno.DatagramConn;
  #buffer = new Uint8Array(0);

  constructor(conn: Deno.DatagramConn) {
    this.#conn = conn;
  }

  get addr(): Deno.NetAddr {
    return this.#conn.addr as Deno.NetAddr;
  }

  async send(datagram: Uint8Array, to: Deno.NetAddr): Promise<void> {
    await this.#conn.send(datagram, to);
  }

  async sendMany(datagrams: readonly Uint8Array[], to: readonly Deno.NetAddr[]): Promise<number> {
    let failed = 0;
    for (let i = 0; i < datagrams.length; i++) {
      try {
        await this.#conn.send(datagrams[i], to[i]);
      } catch {
        failed++;
      }
    }
    return failed;
  }

  async receiveSome(onDatagram: OnDatagram, bufferSize: number): Promise<void> {
    if (this.#buffer.length !== bufferSize) this.#buffer = new Uint8Array(bufferSize);
    const [datagram, from] = await this.#conn.receive(this.#buffer);
    onDatagram(datagram, from as Deno.NetAddr);
  }

  close(): void {
    this.#conn.close();
  }
}
