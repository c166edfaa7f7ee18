/**
 * A UDP socket of the system's own, on Linux, through Deno's FFI: many
 * datagrams a call each way (`sendmmsg`, `recvmmsg`), and a larger receive
 * buffer (`SO_RCVBUF`).
 *
 * Deno's socket takes one datagram an operation, about 10 µs of the event
 * loop each way on these machines, most of what a datagram costs udpcam; it
 * cannot be handed to FFI (its descriptor is not exposed) nor its buffer
 * enlarged. This one sends a frame's due datagrams in one call (about 2 µs a
 * datagram), and after each wake-up (`poll` on a worker thread of Deno's)
 * takes in everything that has arrived in as few calls. Hand-written because
 * neither Deno nor any package offers batched datagram calls. IPv4 only, on
 * 64-bit Linux (the layouts below are LP64's); anywhere else
 * `openDatagramSocket` gives Deno's socket.
 *
 * @module
 */
import type { DatagramSocket, OnDatagram } from "./datagram_socket.ts";
import {
  AF_INET,
  netAddrOf,
  parseIpv4,
  readSockaddrIn,
  SOCKADDR_IN_SIZE,
  writeSockaddrIn,
} from "./ipv4_address.ts";

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  sendmmsg: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "pointer"], result: "i32" },
  // On one of Deno's blocking threads: the event loop goes on meanwhile.
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
const POLLIN = 1;
const SHUT_RDWR = 2;
const EINTR = 4;
const EAGAIN = 11;
const EADDRINUSE = 98;
const EADDRNOTAVAIL = 99;
const EACCES = 13;

/** `struct mmsghdr` (a `struct msghdr` and the length received) and `struct iovec`, LP64. */
const MMSGHDR_SIZE = 64;
const IOVEC_SIZE = 16;
/** Datagrams a call: at most 64 at 1,200 bytes, and up to 2 MB of slots for larger ones. */
const BATCH = 64;
const SLOTS_BYTES = 2 << 20;
/** The most `recvmmsg` calls a turn of the event loop: 256 datagrams of 1,200 bytes. */
const MAX_BATCHES = 4;
/** The largest datagram UDP over IPv4 carries. */
const MAX_DATAGRAM = 65_507;

/**
 * The receive buffer the kernel is asked for. It grants at most twice
 * `net.core.rmem_max`: with Linux's default of 212,992, 416 KB, about 180
 * datagrams of 1,200 bytes, where the default holds about 90; more where the
 * system allows it.
 */
export const RECEIVE_BUFFER_BYTES = 4 << 20;

let libc: Libc | null | undefined;

/** The C library, or `null` where it cannot be loaded. */
function loadLibc(): Libc | null {
  if (libc !== undefined) return libc;
  libc = null;
  if (Deno.build.os !== "linux" || !["x86_64", "aarch64"].includes(Deno.build.arch)) return null;
  // Asked first, so that a script run without them is not prompted for them.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
  if (Deno.permissions.querySync({ name: "net" }).state !== "granted") return null;
  for (const path of ["libc.so.6", "libc.so"]) {
    try {
      libc = Deno.dlopen(path, SYMBOLS).symbols;
      break;
    } catch {
      // The next, or Deno's socket.
    }
  }
  return libc;
}

/**
 * A system socket bound to `hostname`:`port`, or `undefined` where there is
 * none to be had: another system, no `--allow-ffi` or no full `--allow-net`,
 * or a host that is not an IPv4 address.
 *
 * @throws {Deno.errors.AddrInUse} And the other errors `Deno.listenDatagram`
 * throws for a failed bind.
 */
export function systemUdpSocket(
  options: { hostname: string; port: number },
): DatagramSocket | undefined {
  const ip = parseIpv4(options.hostname);
  if (ip === undefined) return undefined;
  const c = loadLibc();
  if (c === null) return undefined;
  const errno = new Deno.UnsafePointerView(c.__errno_location()!);
  const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw osError(errno.getInt32(), "socket");
  const address = new Uint8Array(SOCKADDR_IN_SIZE);
  const view = new DataView(address.buffer);
  writeSockaddrIn(view, 0, ip, options.port);
  if (c.bind(fd, address, SOCKADDR_IN_SIZE) !== 0) {
    const code = errno.getInt32();
    c.close(fd);
    throw osError(code, "bind");
  }
  // Only the receive buffer: a larger send buffer would only queue longer.
  c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new Uint32Array([RECEIVE_BUFFER_BYTES]), 4);
  const length = new Uint32Array([SOCKADDR_IN_SIZE]);
  c.getsockname(fd, address, length);
  return new SystemUdpSocket(c, errno, fd, netAddrOf(readSockaddrIn(view, 0)));
}

/** Deno's error for a failed call, as `Deno.listenDatagram` would throw it. */
function osError(code: number, call: string): Error {
  const message = `${call} failed (os error ${code})`;
  if (code === EADDRINUSE) return new Deno.errors.AddrInUse(message);
  if (code === EADDRNOTAVAIL) return new Deno.errors.AddrNotAvailable(message);
  if (code === EACCES) return new Deno.errors.PermissionDenied(message);
  return new Error(message);
}

/**
 * The headers, addresses and slots of up to {@linkcode BATCH} datagrams for
 * one call, in one buffer whose place in memory never changes: the
 * headers point into it.
 */
class Batch {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly slotSize: number;
  readonly count: number;
  readonly #names: number;
  readonly #slots: number;

  constructor(slotSize: number) {
    this.slotSize = slotSize;
    this.count = Math.max(1, Math.min(BATCH, Math.floor(SLOTS_BYTES / slotSize)));
    const iovecs = this.count * MMSGHDR_SIZE;
    this.#names = iovecs + this.count * IOVEC_SIZE;
    this.#slots = this.#names + this.count * SOCKADDR_IN_SIZE;
    this.bytes = new Uint8Array(this.#slots + this.count * slotSize);
    this.view = new DataView(this.bytes.buffer);
    const base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.bytes)));
    for (let i = 0; i < this.count; i++) {
      const header = i * MMSGHDR_SIZE;
      const iovec = iovecs + i * IOVEC_SIZE;
      this.view.setBigUint64(header, base + BigInt(this.#names + i * SOCKADDR_IN_SIZE), true);
      this.view.setUint32(header + 8, SOCKADDR_IN_SIZE, true);
      this.view.setBigUint64(header + 16, base + BigInt(iovec), true);
      this.view.setBigUint64(header + 24, 1n, true);
      this.view.setBigUint64(iovec, base + BigInt(this.#slots + i * slotSize), true);
      this.view.setBigUint64(iovec + 8, BigInt(slotSize), true);
    }
  }

  /** Where datagram `i`'s address is. */
  name(i: number): number {
    return this.#names + i * SOCKADDR_IN_SIZE;
  }

  /** Datagram `i`'s slot, `length` bytes of it. */
  slot(i: number, length: number): Uint8Array {
    const start = this.#slots + i * this.slotSize;
    return this.bytes.subarray(start, start + length);
  }

  /** Sets datagram `i`'s length (sending) or the room for it (receiving). */
  setLength(i: number, length: number): void {
    // A 64-bit size_t under 2^32: its low half, the high half staying 0.
    this.view.setUint32(this.count * MMSGHDR_SIZE + i * IOVEC_SIZE + 8, length, true);
  }

  /** The length received into slot `i`, or -1 if the datagram was larger than the slot. */
  received(i: number): number {
    const header = i * MMSGHDR_SIZE;
    if ((this.view.getInt32(header + 48, true) & MSG_TRUNC) !== 0) return -1;
    return this.view.getUint32(header + 56, true);
  }

  /** Makes header `i` ready to receive again (the kernel rewrote its address length). */
  rearm(i: number): void {
    this.view.setUint32(i * MMSGHDR_SIZE + 8, SOCKADDR_IN_SIZE, true);
  }
}

class SystemUdpSocket implements DatagramSocket {
  readonly kind = "system";
  readonly addr: Deno.NetAddr;
  #c: Libc;
  #errno: Deno.UnsafePointerView;
  #fd: number;
  #closed = false;
  #polling = false;
  #pollfd: Uint8Array;
  #out = new Batch(2048);
  #in: Batch | undefined;
  /** The addresses datagrams came from, by {@linkcode readSockaddrIn}'s number: one object each. */
  #from = new Map<number, Deno.NetAddr>();
  /** The error of the last datagram that failed to go. */
  #lastError = 0;
  /** The sends under way, one after another: they share one batch. */
  #sends: Promise<unknown> = Promise.resolve();

  constructor(c: Libc, errno: Deno.UnsafePointerView, fd: number, addr: Deno.NetAddr) {
    this.#c = c;
    this.#errno = errno;
    this.#fd = fd;
    this.addr = addr;
    this.#pollfd = new Uint8Array(8);
    const view = new DataView(this.#pollfd.buffer);
    view.setInt32(0, fd, true);
    view.setInt16(4, POLLIN, true);
  }

  async send(datagram: Uint8Array, to: Deno.NetAddr): Promise<void> {
    if (await this.sendMany([datagram], [to]) > 0) {
      throw this.#lastError === 0
        ? new RangeError("a datagram of at most 65,507 bytes, to an IPv4 address")
        : osError(this.#lastError, "send");
    }
  }

  sendMany(datagrams: readonly Uint8Array[], to: readonly Deno.NetAddr[]): Promise<number> {
    if (this.#closed) return Promise.reject(new Deno.errors.BadResource("the socket is closed"));
    // Each waits for the one before: a send that waits for room (EAGAIN)
    // would otherwise find its batch filled again by the next.
    const sending = this.#sends.then(() => this.#sendMany(datagrams, to));
    this.#sends = sending.catch(() => {});
    return sending;
  }

  async #sendMany(datagrams: readonly Uint8Array[], to: readonly Deno.NetAddr[]): Promise<number> {
    if (this.#closed) return datagrams.length;
    const largest = datagrams.reduce((most, datagram) => Math.max(most, datagram.length), 0);
    if (largest > this.#out.slotSize && largest <= MAX_DATAGRAM) {
      this.#out = new Batch(2 ** Math.ceil(Math.log2(largest)));
    }
    const out = this.#out;
    this.#lastError = 0;
    let failed = 0;
    let next = 0;
    // A batch mostly goes to one receiver: its address is read once.
    let host: string | undefined;
    let ip: number | undefined;
    while (next < datagrams.length) {
      // Fill a batch; a datagram that cannot go (too large, not IPv4) fails alone.
      let count = 0;
      while (count < out.count && next < datagrams.length) {
        const datagram = datagrams[next];
        if (to[next].hostname !== host) {
          host = to[next].hostname;
          ip = parseIpv4(host);
        }
        if (ip === undefined || datagram.length > out.slotSize) {
          failed++;
          next++;
          continue;
        }
        out.slot(count, datagram.length).set(datagram);
        out.setLength(count, datagram.length);
        writeSockaddrIn(out.view, out.name(count), ip, to[next].port);
        count++;
        next++;
      }
      let done = 0;
      while (done < count) {
        const sent = this.#c.sendmmsg(
          this.#fd,
          done === 0 ? out.bytes : out.bytes.subarray(done * MMSGHDR_SIZE),
          count - done,
          MSG_DONTWAIT,
        );
        if (sent > 0) {
          done += sent;
          continue;
        }
        const code = this.#errno.getInt32();
        if (code === EINTR) continue;
        if (code === EAGAIN) {
          // The send buffer is full: it drains in well under a millisecond.
          await new Promise((resolve) => setTimeout(resolve, 1));
          if (this.#closed) return failed + (count - done) + (datagrams.length - next);
          continue;
        }
        // This one failed (an unreachable network, say): the rest still go.
        this.#lastError = code;
        failed++;
        done++;
      }
    }
    return failed;
  }

  async receiveSome(onDatagram: OnDatagram, bufferSize: number): Promise<void> {
    if (this.#closed) throw new Deno.errors.BadResource("the socket is closed");
    if (this.#polling) throw new Deno.errors.Busy("one receive at a time");
    if (this.#in === undefined || this.#in.slotSize !== bufferSize) {
      this.#in = new Batch(bufferSize);
    }
    const batch = this.#in;
    // Waiting on a worker thread is an event-loop turn even when datagrams are
    // there already, so a steady stream never holds the loop.
    this.#polling = true;
    try {
      await this.#c.poll(this.#pollfd, 1n, 1000);
    } finally {
      this.#polling = false;
      if (this.#closed) this.#c.close(this.#fd);
    }
    if (this.#closed) throw new Deno.errors.BadResource("the socket is closed");
    // At most MAX_BATCHES calls a turn: a flood faster than the handlers
    // would otherwise keep this loop going and hold the event loop.
    for (let calls = 0; calls < MAX_BATCHES; calls++) {
      const count = this.#c.recvmmsg(this.#fd, batch.bytes, batch.count, MSG_DONTWAIT, null);
      if (count < 0) {
        const code = this.#errno.getInt32();
        if (code === EAGAIN || code === EINTR) return;
        throw osError(code, "recvmmsg");
      }
      for (let i = 0; i < count; i++) {
        const length = batch.received(i);
        const key = readSockaddrIn(batch.view, batch.name(i));
        batch.rearm(i);
        // Larger than the room for it (or not IPv4): not taken in, as with
        // Deno's socket, whose receive fails for it.
        if (length < 0 || key < 0) continue;
        let from = this.#from.get(key);
        if (from === undefined) {
          // Bounded: a flood from many addresses starts the map again.
          if (this.#from.size >= 1024) this.#from.clear();
          from = Object.freeze(netAddrOf(key));
          this.#from.set(key, from);
        }
        onDatagram(batch.slot(i, length), from);
      }
      if (count < batch.count) return;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Wakes a waiting poll, which then closes the descriptor: closed now, the
    // number could be given to another file while that poll still watches it.
    this.#c.shutdown(this.#fd, SHUT_RDWR);
    if (!this.#polling) this.#c.close(this.#fd);
  }
}
