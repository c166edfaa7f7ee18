/**
 * Sends datagrams from one socket strictly in the order given. Deno starts
 * concurrent `send` calls in no guaranteed order (a burst of them can leave
 * reversed), so each send waits for the one before it to finish.
 */
export class SendQueue {
  #socket: Deno.DatagramConn;
  #queue: Array<{ data: Uint8Array; to: Deno.NetAddr; done: (ok: boolean) => void }> = [];
  #busy = false;
  #pumping: Promise<void> = Promise.resolve();

  /** Creates a queue for `socket`; the caller still owns the socket. */
  constructor(socket: Deno.DatagramConn) {
    this.#socket = socket;
  }

  /** Queues `data` for `to`; `done` is told whether it was sent. */
  send(data: Uint8Array, to: Deno.NetAddr, done: (ok: boolean) => void): void {
    this.#queue.push({ data, to, done });
    if (this.#busy) return;
    // Set before the pump starts: a pump whose sends all fail at once ends
    // before this call returns, and must leave the queue ready for the next.
    this.#busy = true;
    this.#pumping = this.#pump();
  }

  /** Resolves once everything queued so far has been sent or has failed. */
  idle(): Promise<void> {
    return this.#busy ? this.#pumping : Promise.resolve();
  }

  async #pump(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      for (const { data, to, done } of batch) {
        let ok = true;
        try {
          await this.#socket.send(data, to);
        } catch {
          ok = false;
        }
        done(ok);
      }
    }
    this.#busy = false;
  }
}
