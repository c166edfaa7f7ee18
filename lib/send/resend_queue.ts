import { markResent } from "../wire/data.ts";
import type { NackRange } from "../wire/nack.ts";
import type { PeerLink } from "./peer_link.ts";
import type { Peer } from "./receiver_registry.ts";
import { SendHistory } from "./send_history.ts";

/** Options for a {@linkcode ResendQueue}. */
export interface ResendQueueOptions {
  /** Seals a datagram for the receiver `key` (`host:port`); `undefined` if there are no keys. */
  seal: (datagram: Uint8Array, key: string) => Uint8Array | undefined;
  /** Sends one datagram through the pacer; false once the sender is closed. */
  transmit: (datagram: Uint8Array, address: Deno.NetAddr) => Promise<boolean>;
  /** Where the frames sent are kept to answer NACKs. @default a {@linkcode SendHistory} with its defaults */
  history?: SendHistory;
}

/** The counters of a {@linkcode ResendQueue}. */
export interface ResendStats {
  /** Datagrams sent again: on a receiver's request, and tail copies. */
  resentDatagrams: number;
  /** Bytes sent again. */
  resentBytes: number;
  /** Fragments asked for that were no longer held, or asked for too often. */
  resendsMissed: number;
  /** Resends left out because the receiver's resend budget was spent. */
  resendsSkipped: number;
}

interface Outgoing {
  datagram: Uint8Array;
  address: Deno.NetAddr;
  /** The receiver's `host:port`, whose keys seal it. */
  key: string;
}

/**
 * What the sender sends again: it keeps each frame's fragments, answers a
 * receiver's NACK from them within its link's resend budget, and on a lossy
 * link sends each resend twice and each frame's last fragment once more.
 * Resends wait in a queue that the sender empties between its own sends.
 */
export class ResendQueue {
  #seal: ResendQueueOptions["seal"];
  #transmit: ResendQueueOptions["transmit"];
  #history: SendHistory;
  #queue: Outgoing[] = [];
  #draining = false;
  #stats: ResendStats = { resentDatagrams: 0, resentBytes: 0, resendsMissed: 0, resendsSkipped: 0 };

  /** An empty queue that seals and sends with `options`. */
  constructor(options: ResendQueueOptions) {
    this.#seal = options.seal;
    this.#transmit = options.transmit;
    this.#history = options.history ?? new SendHistory();
  }

  /** The counters so far. */
  get stats(): ResendStats {
    return { ...this.#stats };
  }

  /** How many resends wait in the queue. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Keeps the fragments of `frame`, sent at `now` (ms), to answer NACKs. */
  keep(frame: number, fragments: Uint8Array[], now: number): void {
    this.#history.add(frame, fragments, now);
  }

  /**
   * Queues what `peer`'s NACK asks for in `ranges`, at `now` (ms), as far as
   * `link`'s resend credit goes. True if its link took them: the caller then
   * sends them with {@linkcode drain} unless it is sending a frame.
   */
  nack(peer: Peer, ranges: NackRange[], link: PeerLink | undefined, now: number): boolean {
    const resends: Outgoing[] = [];
    for (const range of ranges) {
      const { datagrams, missed, refused } = this.#history.take(peer.key, range, now);
      this.#stats.resendsMissed += missed + refused;
      for (const datagram of datagrams) {
        resends.push({ datagram: markResent(datagram), address: peer.address, key: peer.key });
      }
    }
    if (link === undefined) return false;
    // On a lossy link a resend is lost as often as the original: send it twice
    // (the second copies after all the first), so one round trip nearly always does.
    const copies = link.lossy ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      for (const resend of resends) {
        if (link.spend(resend.datagram.length, copy === 0)) {
          this.#queue.push(resend);
        } else {
          this.#stats.resendsSkipped++;
        }
      }
    }
    return true;
  }

  /**
   * Sends `fragment`, a frame's last, once more to `peer` if its `link` is
   * lossy and has the credit; false once the sender is closed.
   */
  async copyTail(fragment: Uint8Array, peer: Peer, link: PeerLink | undefined): Promise<boolean> {
    if (link === undefined || !link.lossy) return true;
    // Sealed again, with its own nonce, and only for a lossy link: a copy is not a replay.
    const copy = this.#seal(fragment, peer.key);
    if (copy === undefined || !link.spend(copy.length, false)) return true;
    if (!await this.#transmit(copy, peer.address)) return false;
    this.#stats.resentDatagrams++;
    this.#stats.resentBytes += copy.length;
    return true;
  }

  /** Sends everything queued; stops early once the sender is closed. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const { datagram, address, key } = this.#queue.shift()!;
      // Each copy is sealed with its own nonce, so that a copy is not a replay.
      const sealed = this.#seal(datagram, key);
      if (sealed === undefined) continue;
      if (!await this.#transmit(sealed, address)) return;
      this.#stats.resentDatagrams++;
      this.#stats.resentBytes += datagram.length;
    }
  }

  /** Starts a {@linkcode flush} in the background, unless one started this way still runs. */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.flush().finally(() => this.#draining = false);
  }

  /** Forgets every frame kept and every resend queued. */
  clear(): void {
    this.#history.clear();
    this.#queue = [];
  }
}
