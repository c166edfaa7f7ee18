import { pauseAfterErrors } from "../../lib/util/pause_after_errors.ts";
import { type LinkCounters, LinkImpairment, zeroLinkCounters } from "./link_impairment.ts";
import { type LinkProfile, resolveLinkProfile } from "./link_profile.ts";
import { MinHeap } from "./min_heap.ts";
import { SendQueue } from "./send_queue.ts";

/** A host and port to bind or to send to; the hostname is best an IP address. */
export interface RelayAddress {
  /** An IP address (a name works for the target, but its replies are then checked by port only). */
  hostname: string;
  /** 0 to 65535; 0 picks a free port when listening. */
  port: number;
}

/** Options for an {@linkcode ImpairRelay}. */
export interface ImpairRelayOptions {
  /** Where clients send to. */
  listen: RelayAddress;
  /** Where the relay forwards to, and whose replies it forwards back. */
  target: RelayAddress;
  /** Seeds every client's impairments; the same seed gives the same decisions. @default {1} */
  seed?: number;
  /** How packets from a client to the target are impaired. @default {{}} */
  up?: LinkProfile;
  /** How packets from the target to a client are impaired. @default {{}} */
  down?: LinkProfile;
  /** A client that sends nothing for this long, in ms, loses its mapping. @default {30000} */
  idleMs?: number;
  /** The most deliveries waiting for their time; more are dropped and counted. @default {100000} */
  maxPending?: number;
  /** Sees every datagram the relay receives, in either direction, before it is impaired. */
  onDatagram?: (direction: "up" | "down", data: Uint8Array) => void;
}

/** What the relay did in one direction, summed over every client it has had. */
export interface RelayDirectionCounters extends LinkCounters {
  /** Copies handed to the socket. */
  sent: number;
  /**
   * Copies that could not be sent: the socket failed or its mapping had closed
   * (up only: also packets from a client for whom no socket could be opened).
   */
  sendErrors: number;
  /** Copies dropped because too many deliveries were waiting. */
  overflowDrops: number;
  /** Datagrams dropped because the link was down ({@linkcode ImpairRelay.blackout}). */
  blackoutDrops: number;
  /** Datagrams sent by {@linkcode ImpairRelay.inject}, not relayed. */
  injected: number;
}

/** Everything the relay counts. */
export interface ImpairRelayCounters {
  /** Client to target. */
  up: RelayDirectionCounters;
  /** Target to client. */
  down: RelayDirectionCounters;
  /** Clients with a mapping now. */
  clients: number;
  /** Datagrams that reached a mapping's socket from somewhere other than the target. */
  strangers: number;
}

/** A client's own socket towards the target, and its two impaired directions. */
interface Mapping {
  client: Deno.NetAddr;
  key: string;
  socket: Deno.DatagramConn;
  sends: SendQueue;
  up: LinkImpairment;
  down: LinkImpairment;
  lastHeard: number;
  closed: boolean;
}

/** A copy waiting for its time. */
interface Delivery {
  due: number;
  seq: number;
  data: Uint8Array;
  mapping: Mapping;
  direction: "up" | "down";
}

/**
 * A UDP relay that impairs traffic between clients (udpcam receivers) and one
 * target (a udpcam sender). Clients send to {@linkcode addr}; like a NAT, each
 * client gets a socket of its own towards the target, so two receivers behind
 * one relay are two addresses to the sender, and the target's replies on that
 * socket go back to that client. Each client's two directions are impaired
 * independently, by {@linkcode LinkImpairment}s seeded from `seed` and the
 * order in which clients first appeared.
 */
export class ImpairRelay {
  #listener: Deno.DatagramConn;
  #replies: SendQueue;
  #target: Deno.NetAddr;
  #checkTargetHost: boolean;
  #bindHost: string;
  #seed: number;
  #up: LinkProfile;
  #down: LinkProfile;
  #idleMs: number;
  #maxPending: number;
  #mappings = new Map<string, Mapping>();
  #ordinal = 0;
  #pending = new MinHeap<Delivery>((a, b) => a.due < b.due || (a.due === b.due && a.seq < b.seq));
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = Infinity;
  #sweeper: ReturnType<typeof setInterval>;
  #loops = new Set<Promise<void>>();
  #sendQueues = new Set<SendQueue>();
  #closed = false;
  #retired = { up: zeroLinkCounters(), down: zeroLinkCounters() };
  #io = { up: zeroIo(), down: zeroIo() };
  #strangers = 0;
  #receiveErrors = 0;
  #blackout = false;
  #onDatagram: (direction: "up" | "down", data: Uint8Array) => void;

  /** Binds `options.listen` and starts relaying. */
  constructor(options: ImpairRelayOptions) {
    const { hostname, port } = options.target;
    this.#target = { transport: "udp", hostname, port };
    this.#checkTargetHost = isIpAddress(options.target.hostname);
    this.#bindHost = options.target.hostname.includes(":") ? "::" : "0.0.0.0";
    this.#seed = options.seed ?? 1;
    this.#up = options.up ?? {};
    this.#down = options.down ?? {};
    this.#idleMs = options.idleMs ?? 30_000;
    this.#maxPending = options.maxPending ?? 100_000;
    this.#onDatagram = options.onDatagram ?? (() => {});
    // Both profiles are checked before anything is bound.
    resolveLinkProfile(this.#up);
    resolveLinkProfile(this.#down);
    this.#listener = Deno.listenDatagram({ transport: "udp", ...options.listen });
    this.#replies = new SendQueue(this.#listener);
    this.#sendQueues.add(this.#replies);
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(10, Math.min(this.#idleMs, 1000)));
    this.#track(this.#receiveFromClients());
  }

  /** The address clients send to. */
  get addr(): Deno.NetAddr {
    return this.#listener.addr as Deno.NetAddr;
  }

  /** Whether the link is down: while it is, every datagram both ways is dropped. */
  get blackout(): boolean {
    return this.#blackout;
  }

  set blackout(down: boolean) {
    this.#blackout = down;
  }

  /**
   * Changes one direction's impairment for every client, now and to come,
   * as a route change or a new bottleneck would: what is already on its way
   * keeps its times.
   *
   * @throws {RangeError} If a field of the profile is out of range.
   */
  impair(direction: "up" | "down", profile: LinkProfile): void {
    resolveLinkProfile(profile);
    if (direction === "up") this.#up = profile;
    else this.#down = profile;
    for (const mapping of this.#mappings.values()) mapping[direction].profile = profile;
  }

  /**
   * Sends `data` as if it came through the relay, with no impairment: `up`
   * to the target from each client's socket, `down` to each client from the
   * relay's. For injecting forged or mutated datagrams from the addresses
   * each side trusts.
   */
  inject(direction: "up" | "down", data: Uint8Array): void {
    if (this.#closed) return;
    const io = this.#io[direction];
    for (const mapping of this.#mappings.values()) {
      if (mapping.closed) continue;
      io.injected++;
      const queue = direction === "up" ? mapping.sends : this.#replies;
      queue.send(data, direction === "up" ? this.#target : mapping.client, () => {});
    }
  }

  /** What the relay has done so far. */
  get counters(): ImpairRelayCounters {
    const up = { ...this.#retired.up };
    const down = { ...this.#retired.down };
    for (const mapping of this.#mappings.values()) {
      addInto(up, mapping.up.counters);
      addInto(down, mapping.down.counters);
    }
    return {
      up: { ...up, ...this.#io.up },
      down: { ...down, ...this.#io.down },
      clients: this.#mappings.size,
      strangers: this.#strangers,
    };
  }

  /**
   * Stops relaying: drops what is still waiting, lets the sends under way
   * finish, closes every socket and resolves once every receive loop has ended.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#sweeper);
    this.#pending.clear();
    await Promise.all([...this.#sendQueues].map((queue) => queue.idle()));
    this.#listener.close();
    for (const mapping of [...this.#mappings.values()]) this.#closeMapping(mapping);
    while (this.#loops.size > 0) await Promise.all(this.#loops);
  }

  async #receiveFromClients(): Promise<void> {
    const buffer = new Uint8Array(65_536);
    while (!this.#closed) {
      let data: Uint8Array;
      let from: Deno.NetAddr;
      try {
        const [bytes, addr] = await this.#listener.receive(buffer);
        data = bytes.slice();
        from = addr as Deno.NetAddr;
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource) return;
        await pauseAfterErrors(++this.#receiveErrors);
        continue;
      }
      if (this.#closed) return;
      const mapping = this.#mappingFor(from);
      if (mapping === undefined) continue;
      const now = performance.now();
      mapping.lastHeard = now;
      this.#admit(mapping, "up", data, now);
    }
  }

  async #receiveFromTarget(mapping: Mapping): Promise<void> {
    const buffer = new Uint8Array(65_536);
    const target = this.#target;
    while (!mapping.closed) {
      let data: Uint8Array;
      let from: Deno.NetAddr;
      try {
        const [bytes, addr] = await mapping.socket.receive(buffer);
        data = bytes.slice();
        from = addr as Deno.NetAddr;
      } catch (error) {
        if (mapping.closed || error instanceof Deno.errors.BadResource) return;
        await pauseAfterErrors(++this.#receiveErrors);
        continue;
      }
      if (mapping.closed) return;
      if (
        from.port !== target.port || (this.#checkTargetHost && from.hostname !== target.hostname)
      ) {
        this.#strangers++;
        continue;
      }
      this.#admit(mapping, "down", data, performance.now());
    }
  }

  /** The client's mapping, made on its first packet; undefined if no socket could be bound. */
  #mappingFor(client: Deno.NetAddr): Mapping | undefined {
    const key = `${client.hostname}:${client.port}`;
    const known = this.#mappings.get(key);
    if (known !== undefined) return known;
    let socket: Deno.DatagramConn;
    try {
      socket = Deno.listenDatagram({ transport: "udp", hostname: this.#bindHost, port: 0 });
    } catch {
      this.#io.up.sendErrors++;
      return undefined;
    }
    const ordinal = this.#ordinal++;
    const sends = new SendQueue(socket);
    this.#sendQueues.add(sends);
    const mapping: Mapping = {
      client,
      key,
      socket,
      sends,
      up: new LinkImpairment(this.#up, { seed: deriveSeed(this.#seed, 2 * ordinal) }),
      down: new LinkImpairment(this.#down, { seed: deriveSeed(this.#seed, 2 * ordinal + 1) }),
      lastHeard: performance.now(),
      closed: false,
    };
    this.#mappings.set(key, mapping);
    this.#track(this.#receiveFromTarget(mapping));
    return mapping;
  }

  #admit(mapping: Mapping, direction: "up" | "down", data: Uint8Array, now: number): void {
    if (this.#closed) return;
    this.#onDatagram(direction, data);
    if (this.#blackout) {
      this.#io[direction].blackoutDrops++;
      return;
    }
    const link = direction === "up" ? mapping.up : mapping.down;
    for (const due of link.admit(data.length, now)) {
      if (this.#pending.size >= this.#maxPending) {
        this.#io[direction].overflowDrops++;
        continue;
      }
      this.#pending.push({ due, seq: this.#seq++, data, mapping, direction });
    }
    this.#flush();
  }

  /**
   * Sends every delivery that is due, in order, and sets the timer for the
   * next. Nothing leaves early, so a delay is a floor; timers are about a
   * millisecond coarse, so a delivery may leave up to a millisecond or two late.
   */
  #flush(): void {
    if (this.#closed) return;
    const now = performance.now();
    for (let next = this.#pending.peek(); next !== undefined; next = this.#pending.peek()) {
      if (next.due > now) break;
      this.#pending.pop();
      this.#send(next);
    }
    const next = this.#pending.peek();
    if (next === undefined || next.due >= this.#timerDue) return;
    clearTimeout(this.#timer);
    this.#timerDue = next.due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerDue = Infinity;
      this.#flush();
    }, Math.ceil(next.due - now));
  }

  #send(delivery: Delivery): void {
    const { mapping, direction, data } = delivery;
    const io = this.#io[direction];
    const done = (ok: boolean) => ok ? io.sent++ : io.sendErrors++;
    if (direction === "down") {
      this.#replies.send(data, mapping.client, done);
    } else if (mapping.closed) {
      io.sendErrors++;
    } else {
      mapping.sends.send(data, this.#target, done);
    }
  }

  /** Closes the mappings of clients that have been silent for `idleMs`. */
  #sweep(): void {
    const now = performance.now();
    for (const mapping of [...this.#mappings.values()]) {
      if (now - mapping.lastHeard >= this.#idleMs) this.#closeMapping(mapping);
    }
  }

  #closeMapping(mapping: Mapping): void {
    if (mapping.closed) return;
    mapping.closed = true;
    this.#mappings.delete(mapping.key);
    addInto(this.#retired.up, mapping.up.counters);
    addInto(this.#retired.down, mapping.down.counters);
    // Whatever is still queued on the socket fails and is counted.
    mapping.sends.idle().then(() => this.#sendQueues.delete(mapping.sends));
    try {
      mapping.socket.close();
    } catch {
      // Already closed.
    }
  }

  #track(loop: Promise<void>): void {
    this.#loops.add(loop);
    loop.finally(() => this.#loops.delete(loop));
  }
}

/** The seed of stream `stream` under `seed`, mixed (splitmix32-style) so that neighbours differ. */
function deriveSeed(seed: number, stream: number): number {
  let z = (seed + Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function isIpAddress(hostname: string): boolean {
  return hostname.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname);
}

function zeroIo() {
  return { sent: 0, sendErrors: 0, overflowDrops: 0, blackoutDrops: 0, injected: 0 };
}

function addInto(total: LinkCounters, more: LinkCounters): void {
  for (const key of Object.keys(total) as (keyof LinkCounters)[]) total[key] += more[key];
}
