import { wallClock } from "../util/clock.ts";
import { encodeNack, MAX_NACK_RANGES, type NackRange } from "../wire/nack.ts";
import type { DueOptions } from "./partial_frame.ts";
import type { Reassembler } from "./reassembler.ts";
import type { ReceiverLink } from "./receiver_link.ts";

/** Recovery timing: how long gaps wait before they count as lost, and retries. */
export const RECOVERY = {
  /** A gap waits this long, in ms, for a reordered datagram before it is asked for. */
  reorderMs: 1,
  /** A frame silent this long, in ms, lost the datagrams after its last one. */
  tailMs: 3,
} as const;

/** How long after the last parity datagram, in ms, frames still wait for parity. */
const PARITY_WAIT_MS = 2000;
/** How often, in ms, frames in progress are looked at again between datagrams. */
const RECOVER_EVERY_MS = 2;

/**
 * The default latency budget for a round-trip time: room for three rounds of
 * asking again, plus 25 ms for the frame's own spread and jitter; from 30 ms
 * to 1 s.
 */
export function autoLatencyMs(rttMs: number | undefined): number {
  return Math.min(1000, Math.max(30, 3 * (rttMs ?? 0) + 25));
}

/** When a fragment asked for and still missing is asked for again, in ms. */
export function retryMs(rttMs: number | undefined): number {
  return Math.max(3, 1.25 * (rttMs ?? 0) + 2);
}

/**
 * The waits {@linkcode Reassembler.due} applies at `now`, for a smoothed
 * round trip of `rttMs` and the last parity datagram at `parityAt`.
 */
export function dueOptions(
  now: number,
  options: { rttMs: number | undefined; parityAt: number },
): DueOptions {
  return {
    reorderMs: RECOVERY.reorderMs,
    retryMs: retryMs(options.rttMs),
    tailMs: RECOVERY.tailMs,
    awaitParity: now - options.parityAt < PARITY_WAIT_MS,
  };
}

/** Who a NACK comes from: the session joined, this receiver and its cookie. */
export interface NackFrom {
  /** The session joined. */
  session: number;
  /** This receiver's id. */
  receiver: number;
  /** The cookie that proves this receiver to the sender. */
  cookie: Uint8Array;
}

/** The NACKs that ask for `ranges`, at most {@linkcode MAX_NACK_RANGES} ranges each, in order. */
export function encodeNacks(ranges: readonly NackRange[], from: NackFrom): Uint8Array[] {
  const nacks: Uint8Array[] = [];
  for (let i = 0; i < ranges.length; i += MAX_NACK_RANGES) {
    nacks.push(encodeNack({ ...from, ranges: ranges.slice(i, i + MAX_NACK_RANGES) }));
  }
  return nacks;
}

/** Options for a {@linkcode NackPolicy}. */
export interface NackPolicyOptions {
  /** The frames in progress, asked which fragments are due. */
  reassembler: Reassembler;
  /** The link: its round trip, session, receiver id and cookie. */
  link: ReceiverLink;
  /** Sends one control message to the sender, sealed as needed. */
  send: (message: Uint8Array) => void;
  /** Ask the sender for missing fragments. @default {true} */
  nack?: boolean;
}

/**
 * When the receiver asks for missing fragments again: after each group of
 * datagrams that arrived together (each one, on Deno's socket), and every 2
 * ms while frames are in progress, it asks the reassembler which fragments
 * are due (giving up frames past their deadline) and sends the NACKs for
 * them, each twice.
 */
export class NackPolicy {
  #reassembler: Reassembler;
  #link: ReceiverLink;
  #send: (message: Uint8Array) => void;
  #nack: boolean;
  #nacksSent = 0;
  #parityAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** Creates a policy that has asked for nothing yet. */
  constructor(options: NackPolicyOptions) {
    this.#reassembler = options.reassembler;
    this.#link = options.link;
    this.#send = options.send;
    this.#nack = options.nack ?? true;
  }

  /** NACKs sent so far, each counted once though sent twice. */
  get nacksSent(): number {
    return this.#nacksSent;
  }

  /** Records that a parity datagram came at `now`: frames wait for parity a while from now. */
  parityCame(now: number): void {
    this.#parityAt = now;
  }

  /**
   * Asks for the missing fragments that are due, and gives up frames past
   * their deadline; runs after each group of datagrams that arrived together
   * and every 2 ms while frames are in progress.
   */
  recover(now: number): void {
    const ranges = this.#reassembler.due(
      now,
      dueOptions(now, { rttMs: this.#link.srttMs, parityAt: this.#parityAt }),
    );
    const cookie = this.#link.cookie;
    if (ranges.length > 0 && this.#nack && cookie !== undefined) {
      const from = { session: this.#link.session, receiver: this.#link.receiver, cookie };
      for (const nack of encodeNacks(ranges, from)) {
        // Twice, a moment apart: a NACK is small, and losing it costs a round trip.
        // Each copy is sealed on its own, so that the second is not a replay.
        this.#send(nack);
        setTimeout(() => this.#send(nack), 1);
        this.#nacksSent++;
      }
    }
    if (this.#reassembler.pendingFrames > 0 && this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!this.#closed) this.recover(wallClock());
      }, RECOVER_EVERY_MS);
    }
  }

  /** Stops looking at frames in progress. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
