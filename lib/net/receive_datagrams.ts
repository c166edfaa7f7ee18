import type { DatagramSocket, OnDatagram } from "./datagram_socket.ts";
import { pauseAfterErrors } from "../util/pause_after_errors.ts";

/** Options for {@linkcode receiveDatagrams}. */
export interface ReceiveDatagramsOptions {
  /** The room for one datagram, in bytes: a larger one is not taken in. */
  bufferSize: number;
  /** Whether the socket's owner has closed it: the loop then ends. */
  closed: () => boolean;
  /**
   * Called as each group of datagrams that arrived together is handed over,
   * before the first of them (see `LoopLagMeter.touch`).
   *
   * @default {undefined} nothing is called
   */
  onWork?: () => void;
  /**
   * Called after each group of datagrams that arrived together has been
   * handed over: work that can wait for the last of them is done once.
   *
   * @default {undefined} nothing is called
   */
  afterSome?: () => void;
  /**
   * Called after each failed receive, before the pause (see {@linkcode pauseAfterErrors}).
   *
   * @default {undefined} nothing is told
   */
  onError?: () => void;
}

/**
 * Receives datagrams on `socket` and hands each to `onDatagram`, until the
 * socket's owner has closed it or it is closed under the loop. A datagram's
 * bytes are valid until `onDatagram` returns (they are received into buffers
 * used again). A failed receive is counted and the loop goes on, pausing now
 * and then while failures go on (Windows reports an earlier send's ICMP "port
 * unreachable" on the next receive; it says nothing about this socket).
 *
 * @param socket A bound UDP socket.
 * @param onDatagram Called with each datagram and who sent it.
 * @param options The room for a datagram, and how to tell that the socket is closed.
 * @returns Once the socket is closed.
 */
export async function receiveDatagrams(
  socket: DatagramSocket,
  onDatagram: OnDatagram,
  options: ReceiveDatagramsOptions,
): Promise<void> {
  const { closed, onError, afterSome, onWork, bufferSize } = options;
  let first = true;
  const take: OnDatagram = onWork === undefined ? onDatagram : (datagram, from) => {
    if (first) {
      first = false;
      onWork();
    }
    onDatagram(datagram, from);
  };
  let errors = 0;
  while (!closed()) {
    try {
      first = true;
      await socket.receiveSome(take, bufferSize);
      afterSome?.();
    } catch (error) {
      if (closed() || error instanceof Deno.errors.BadResource) return;
      onError?.();
      await pauseAfterErrors(++errors);
    }
  }
}
