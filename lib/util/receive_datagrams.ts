import { pauseAfterErrors } from "./pause_after_errors.ts";

/** Options for {@linkcode receiveDatagrams}. */
export interface ReceiveDatagramsOptions {
  /** The size of the one buffer every datagram is received into, in bytes. */
  bufferSize: number;
  /** Whether the socket's owner has closed it: the loop then ends. */
  closed: () => boolean;
  /**
   * Called after each failed receive, before the pause (see {@linkcode pauseAfterErrors}).
   *
   * @default {undefined} nothing is told
   */
  onError?: () => void;
}

/**
 * Receives datagrams on `socket` and hands each to `onDatagram`, awaiting
 * what it returns, until the socket's owner has closed it or it is closed
 * under the loop. Every datagram is received into the same buffer: it is
 * valid until `onDatagram` returns. A failed receive is counted and the loop
 * goes on, pausing now and then while failures go on (Windows reports an
 * earlier send's ICMP "port unreachable" on the next receive; it says nothing
 * about this socket).
 *
 * @param socket A bound UDP socket.
 * @param onDatagram Called with each datagram and who sent it.
 * @param options The buffer's size, and how to tell that the socket is closed.
 * @returns Once the socket is closed.
 */
export async function receiveDatagrams(
  socket: Deno.DatagramConn,
  onDatagram: (datagram: Uint8Array, from: Deno.NetAddr) => void | Promise<void>,
  options: ReceiveDatagramsOptions,
): Promise<void> {
  const { closed, onError } = options;
  const buffer = new Uint8Array(options.bufferSize);
  let errors = 0;
  while (!closed()) {
    let datagram: Uint8Array;
    let from: Deno.NetAddr;
    try {
      const [bytes, addr] = await socket.receive(buffer);
      datagram = bytes;
      from = addr as Deno.NetAddr;
    } catch (error) {
      if (closed() || error instanceof Deno.errors.BadResource) return;
      onError?.();
      await pauseAfterErrors(++errors);
      continue;
    }
    const handled = onDatagram(datagram, from);
    if (handled !== undefined) await handled;
  }
}
