/**
 * The most clients a tutorial server serves: its greeting is one datagram
 * from any address, which anyone can forge, so each client is a stream sent
 * to an address nobody proved; a few bound what such forgery can aim.
 */
export const TUTORIAL_MAX_CLIENTS = 4;

/**
 * How long a client is served after the last datagram it sent, in ms: the
 * tutorial's own client greets once and then only listens, so this is long.
 */
export const TUTORIAL_CLIENT_EXPIRY_MS = 10 * 60_000;

/** At most one refusal told in this many ms; the rest are counted into it. */
const REFUSALS_TOLD_EVERY_MS = 10_000;

/** What {@linkcode TutorialClients} tells as clients come and go. */
export type TutorialClientEvent =
  /** A new address greeted and is served from now on. */
  | { type: "client_joined"; address: string; clients: number }
  /** Greetings from addresses not served, all clients taken; `count` since the last told. */
  | { type: "client_refused"; address: string; count: number }
  /** A client sent nothing for {@linkcode TUTORIAL_CLIENT_EXPIRY_MS} and is no longer served. */
  | { type: "client_expired"; address: string; clients: number };

interface Client {
  addr: Deno.NetAddr;
  heardAt: number;
}

/**
 * The clients a tutorial server sends frames to: any address that sends a
 * datagram joins, while there is room, and stays while it sends something
 * at least every {@linkcode TUTORIAL_CLIENT_EXPIRY_MS}. Pure: the time is given.
 */
export class TutorialClients {
  #clients = new Map<string, Client>();
  #max: number;
  #expiryMs: number;
  #refusedSinceTold = 0;
  #refusalToldAt = -Infinity;

  constructor(
    options: { max?: number; expiryMs?: number } = {},
  ) {
    this.#max = options.max ?? TUTORIAL_MAX_CLIENTS;
    this.#expiryMs = options.expiryMs ?? TUTORIAL_CLIENT_EXPIRY_MS;
  }

  /** The addresses served now. */
  get addresses(): Deno.NetAddr[] {
    return [...this.#clients.values()].map((client) => client.addr);
  }

  /** How many are served now. */
  get size(): number {
    return this.#clients.size;
  }

  /**
   * Takes a datagram from `addr` at `now`: a new client if there is room, a
   * client's proof of life if it is one; returns what is worth telling.
   */
  heard(addr: Deno.NetAddr, now: number): TutorialClientEvent | undefined {
    const address = formatAddr(addr);
    const known = this.#clients.get(address);
    if (known !== undefined) {
      known.heardAt = now;
      return undefined;
    }
    if (this.#clients.size >= this.#max) {
      this.#refusedSinceTold++;
      if (now - this.#refusalToldAt < REFUSALS_TOLD_EVERY_MS) return undefined;
      const count = this.#refusedSinceTold;
      this.#refusedSinceTold = 0;
      this.#refusalToldAt = now;
      return { type: "client_refused", address, count };
    }
    this.#clients.set(address, { addr: { ...addr }, heardAt: now });
    return { type: "client_joined", address, clients: this.#clients.size };
  }

  /** Drops the clients silent for too long at `now`, telling each. */
  expire(now: number): TutorialClientEvent[] {
    const events: TutorialClientEvent[] = [];
    for (const [address, client] of this.#clients) {
      if (now - client.heardAt < this.#expiryMs) continue;
      this.#clients.delete(address);
      events.push({ type: "client_expired", address, clients: this.#clients.size });
    }
    return events;
  }
}

function formatAddr(addr: Deno.NetAddr): string {
  return addr.hostname.includes(":")
    ? `[${addr.hostname}]:${addr.port}`
    : `${addr.hostname}:${addr.port}`;
}
