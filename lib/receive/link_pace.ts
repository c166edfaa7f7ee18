/** How often a receiver's link says hello and keeps alive; see {@linkcode LinkPace}. */
export interface LinkPaceOptions {
  /**
   * How often to send a hello while not joined, in ms, once
   * `quickHellosForMs` have passed.
   * @default {1000}
   */
  helloMs?: number;
  /**
   * How often to send a hello in the first `quickHellosForMs` of not being
   * joined (at start, or once the sender said goodbye or went silent), and a
   * keepalive while joined to a sender not heard from for two keepalives (it
   * may be restarting), in ms: a sender that starts or restarts then is
   * joined within this long of opening its socket, before its first frame.
   * @default {50}
   */
  quickHelloMs?: number;
  /**
   * How long hellos go out every `quickHelloMs`, in ms.
   * @default {10000}
   */
  quickHellosForMs?: number;
  /**
   * How often to send a keepalive, with its report, while joined, in ms.
   * @default {250}
   */
  keepaliveMs?: number;
}

/** Where the link stands, as its pace depends on it. */
export interface LinkPaceState {
  /** Joined, with a cookie: keepalives go out, else hellos. */
  joined: boolean;
  /** The sender refused this receiver: no quick hellos. */
  refused: boolean;
  /** When the sender was last heard from, ms. */
  lastHeard: number;
}

/**
 * When a receiver's link sends its next hello or keepalive: the timers of
 * {@linkcode ReceiverLink}, apart from its states. Pure: times are given by
 * the caller.
 */
export class LinkPace {
  #helloMs: number;
  #quickHelloMs: number;
  #quickHellosForMs: number;
  #keepaliveMs: number;
  /** When the link was last found not joined, while it still is. */
  #apartSince: number | undefined;
  #lastSent = -Infinity;
  /** When a STALE last made the link say hello. */
  #staleHelloAt = -Infinity;

  /** A pace that has sent nothing yet. */
  constructor(options: LinkPaceOptions = {}) {
    this.#helloMs = options.helloMs ?? 1000;
    this.#quickHelloMs = options.quickHelloMs ?? 50;
    this.#quickHellosForMs = options.quickHellosForMs ?? 10_000;
    this.#keepaliveMs = options.keepaliveMs ?? 250;
  }

  /**
   * Whether a hello or keepalive is due at `now`: a hello while not joined
   * (every `quickHelloMs` for the first `quickHellosForMs` apart, unless
   * refused, then every `helloMs`), a keepalive every `keepaliveMs` while
   * joined (every `quickHelloMs` while the sender is silent). If it is, it
   * counts as sent.
   */
  due(now: number, link: LinkPaceState): boolean {
    const { joined } = link;
    if (joined) this.#apartSince = undefined;
    else this.#apartSince ??= now;
    const quick = joined
      ? now - link.lastHeard > 2 * this.#keepaliveMs
      : !link.refused && now - this.#apartSince! < this.#quickHellosForMs;
    const every = quick ? this.#quickHelloMs : joined ? this.#keepaliveMs : this.#helloMs;
    if (now - this.#lastSent < every) return false;
    this.#lastSent = now;
    return true;
  }

  /** Records a message sent at `now` outside the pace: the next is due a full wait later. */
  sent(now: number): void {
    this.#lastSent = now;
  }

  /** Records that the link joined: quick hellos start afresh once it is apart again. */
  joined(): void {
    this.#apartSince = undefined;
  }

  /**
   * Whether a STALE at `now` may make the link say hello: at most once per
   * `helloMs`, however many come. If it may, the hello counts as sent.
   */
  staleHello(now: number): boolean {
    if (now - this.#staleHelloAt < this.#helloMs) return false;
    this.#staleHelloAt = now;
    this.#lastSent = now;
    return true;
  }
}
