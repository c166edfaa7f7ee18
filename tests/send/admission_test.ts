/**
 * Who the sender lets in, attacked over real sockets: replayed JOINs and
 * keepalives from an address whose receiver is gone (through the relay, so
 * that the sender sees them from the receiver's own address), and floods of
 * junk and of hellos from many addresses (sockets bound across 127.0.0.0/8,
 * which Linux delivers on loopback) while a real receiver joins.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ImpairRelay } from "../../scripts/impair/impair_relay.ts";
import { encodeControl, PacketType } from "../../lib/wire/mod.ts";
import { probeSalt } from "../../lib/receive/probe_salt.ts";
import { ReceiverGate } from "../../lib/receive/receiver_gate.ts";
import { StreamKey } from "../../lib/seal/stream_key.ts";
import { StreamSecret } from "../../lib/seal/stream_secret.ts";
import { UdpReceiver } from "../../lib/receive/udp_receiver.ts";
import { UdpSender } from "../../lib/send/udp_sender.ts";
import { KeyHolder } from "../_key_holder.ts";
import { Random } from "../_random.ts";

const KEY_TEXT = "the admission tests' shared secret";
const KEY = new StreamKey(KEY_TEXT);
/** The key stretched with a salt: a sender's run. */
function run(): Promise<StreamSecret> {
  return KEY.stretch(StreamSecret.salt());
}
const WRONG = await new StreamKey("a secret nobody streams with here").stretch(StreamSecret.salt());
/** Datagrams a second in each flood: twice what kept a receiver out for 12 s. */
const RATE = 3000;

function bind(hostname = "127.0.0.1"): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A JPEG-shaped frame of 6 KB. */
function frame(): { data: Uint8Array; captureTime: number } {
  const data = new Uint8Array(6000).fill(7);
  data.set([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 240, 1, 64, 3]);
  data.set([0xff, 0xd9], data.length - 2);
  return { data, captureTime: performance.timeOrigin + performance.now() };
}

/** Sends a frame every 33 ms until stopped. */
function stream(sender: UdpSender): () => Promise<void> {
  let on = true;
  const running = (async () => {
    while (on) {
      await sender.send(frame());
      await sleep(33);
    }
  })();
  return async () => {
    on = false;
    await running;
  };
}

/** Resolves once `done()` holds, checking every 10 ms; throws after `ms`. */
async function until(done: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`${what} not within ${ms} ms`);
    await sleep(10);
  }
}

/**
 * A sender streaming to a receiver through a relay that keeps the last
 * datagram of each type going up and counts DATA going down.
 */
interface WatchedPair {
  sender: UdpSender;
  receiver: UdpReceiver;
  relay: ImpairRelay;
  /** The last datagram of each type (without the sealed bit) the receiver sent. */
  captured: Map<number, Uint8Array>;
  /** DATA datagrams that went down. */
  watch: { data: number };
  /** Stops all of it. */
  close: () => Promise<void>;
}

/** Starts a {@linkcode WatchedPair}, with a key or without, streaming. */
async function watchedPair(keyed: boolean): Promise<WatchedPair> {
  const sender = new UdpSender({
    socket: bind(),
    secret: keyed ? await run() : undefined,
    paceBitsPerSecond: 50e6,
  });
  const captured = new Map<number, Uint8Array>();
  const watch = { data: 0 };
  const relay = new ImpairRelay({
    listen: { hostname: "127.0.0.1", port: 0 },
    target: { hostname: "127.0.0.1", port: sender.addr.port },
    onDatagram: (direction, data) => {
      const type = data.length > 3 ? data[3] & 0x7f : 0;
      if (direction === "up") captured.set(type, data.slice());
      else if (type === PacketType.DATA) watch.data++;
    },
  });
  const receiver = new UdpReceiver({
    socket: bind(),
    sender: relay.addr,
    key: keyed ? KEY : undefined,
  });
  const stop = stream(sender);
  const close = async () => {
    await stop();
    await receiver.close();
    await relay.close();
    await sender.close();
  };
  return { sender, receiver, relay, captured, watch, close };
}

for (const keyed of [false, true]) {
  const label = keyed ? "with a key" : "without a key";

  Deno.test(`a JOIN and a keepalive replayed every 3 s after the receiver's goodbye bring no video back (${label})`, async () => {
    const { sender, receiver, relay, captured, watch, close } = await watchedPair(keyed);
    try {
      await until(() => receiver.stats().framesReceived >= 5, 5000, "frames");
      await until(() => captured.has(PacketType.KEEPALIVE), 2000, "a keepalive");
      const join = captured.get(PacketType.JOIN);
      const keepalive = captured.get(PacketType.KEEPALIVE);
      assert.ok(join !== undefined && keepalive !== undefined, "seen on their way");
      // Sealed with the hello key and the key tail, or in the clear.
      assert.equal(join.length, keyed ? 108 : 36);
      await receiver.close();
      await until(() => sender.receivers === 0, 2000, "the goodbye");
      await sleep(200);
      const before = watch.data;
      // From the receiver's own address, as the sender sees it.
      for (let replay = 0; replay < 5; replay++) {
        relay.inject("up", join);
        relay.inject("up", keepalive);
        await sleep(3000);
      }
      assert.equal(watch.data - before, 0, "video went to the address after its goodbye");
      assert.equal(sender.receivers, 0);
      const rejected = sender.stats.rejected;
      if (keyed) {
        assert.ok(rejected.replayed >= 5, `${rejected.replayed} JOINs refused as replays`);
        assert.ok(rejected.stale >= 5, `${rejected.stale} keepalives without keys`);
      }
    } finally {
      await close();
    }
  });

  // Without a key, the last cookie the receiver echoed lives 10 s, then it
  // has 5 s to be heard from; with one, its keepalive counts only once.
  const most = keyed ? 7 : 16;
  Deno.test(`keepalives replayed from a receiver that is gone keep video going there for ${most} s at most (${label})`, async () => {
    const { sender, receiver, relay, captured, watch, close } = await watchedPair(keyed);
    try {
      await until(() => captured.has(PacketType.KEEPALIVE), 5000, "a keepalive");
      await until(() => receiver.stats().framesReceived >= 5, 5000, "frames");
      const keepalive = captured.get(PacketType.KEEPALIVE);
      assert.ok(keepalive !== undefined, "a keepalive was seen on its way");
      // The receiver is gone (nothing passes the relay any more), but its
      // keepalive comes again four times a second from its address.
      relay.blackout = true;
      const gone = performance.now();
      let lastData = watch.data;
      let flowingAt = gone;
      while (performance.now() - gone < 25_000) {
        relay.inject("up", keepalive);
        await sleep(250);
        if (watch.data > lastData) flowingAt = performance.now();
        lastData = watch.data;
      }
      const seconds = (flowingAt - gone) / 1000;
      assert.ok(
        seconds <= most,
        `video still went there ${seconds.toFixed(1)} s after it was gone`,
      );
      assert.equal(sender.receivers, 0);
    } finally {
      await close();
    }
  });
}

// A key holder joined from an address, then lost it (or spoofs it as its
// source): it keeps sealing keepalives of its own, with its join's keys and
// cookie, but nothing that arrives at the address is answered. Its join's
// cookie lives 10 s, then it has 5 s to be heard from with a newer one.
Deno.test("a key holder's own keepalives keep video going to an address it no longer receives at for 16 s at most", async () => {
  const sender = new UdpSender({ socket: bind(), secret: await run(), paceBitsPerSecond: 50e6 });
  const stop = stream(sender);
  let holder: KeyHolder | undefined;
  try {
    holder = await KeyHolder.join(sender.addr.port, KEY_TEXT);
    const joined = performance.now();
    await holder.streaming();
    while (performance.now() - joined < 22_000) {
      await holder.keepalive();
      await sleep(250);
    }
    const seconds = (holder.lastDataAt - joined) / 1000;
    assert.ok(seconds <= 16, `video still went there ${seconds.toFixed(1)} s after the join`);
    assert.equal(sender.receivers, 0);
  } finally {
    await stop();
    await holder?.close();
    await sender.close();
  }
});

/** Sockets bound to `count` addresses across 127.0.0.0/8 (none in 127.0.0.0/24), or within `prefix`. */
function sources(random: Random, count: number, prefix?: string): Deno.DatagramConn[] {
  const hosts = new Set<string>();
  while (hosts.size < count) {
    hosts.add(
      prefix === undefined
        ? `127.${random.int(1, 254)}.${random.int(0, 255)}.${random.int(1, 254)}`
        : `${prefix}.${random.int(1, 254)}`,
    );
  }
  return [...hosts].map((host) => bind(host));
}

/** Sends `perSecond` datagrams made by `make` to `to`, each from the next of `from`, until stopped. */
function flood(
  from: Deno.DatagramConn[],
  to: Deno.NetAddr,
  perSecond: number,
  make: () => Uint8Array,
): { sent: () => number; stop: () => Promise<void> } {
  let on = true;
  let sent = 0;
  const running = (async () => {
    const started = performance.now();
    while (on) {
      const due = Math.floor(((performance.now() - started) * perSecond) / 1000);
      for (; sent < due; sent++) {
        await from[sent % from.length].send(make(), to).catch(() => {});
      }
      await sleep(5);
    }
  })();
  return {
    sent: () => sent,
    stop: async () => {
      on = false;
      await running;
      for (const socket of from) socket.close();
    },
  };
}

/** A sender that notes every address it rate-limited. */
function limitedSender(secret?: StreamSecret): { sender: UdpSender; limited: Set<string> } {
  const limited = new Set<string>();
  const sender = new UdpSender({
    socket: bind(),
    secret,
    onRejected: (address, reason) => {
      if (reason === "rateLimited") limited.add(address);
    },
  });
  return { sender, limited };
}

/**
 * Starts a receiver of `sender` (with `key`, and `gate` if given) while
 * `make`'s datagrams flood it from `from`, {@linkcode RATE} a second, and
 * returns how long the receiver took to join, in ms, and its address.
 */
async function joinDuring(
  sender: UdpSender,
  from: Deno.DatagramConn[],
  make: () => Uint8Array,
  receiving: { key?: StreamKey; gate?: ReceiverGate } = {},
): Promise<{ ms: number; address: string }> {
  const attack = flood(from, sender.addr, RATE, make);
  // The attack has used up any burst before the receiver starts.
  await sleep(1000);
  let joinedAt: number | undefined;
  const started = performance.now();
  const receiver = new UdpReceiver({
    socket: bind(),
    sender: sender.addr,
    ...receiving,
    onEvent: (event) => {
      if (event.type === "joined") joinedAt ??= performance.now();
    },
  });
  const address = `${receiver.addr.hostname}:${receiver.addr.port}`;
  try {
    await until(() => joinedAt !== undefined, 10_000, "the join").catch(() => {});
    assert.ok(attack.sent() >= RATE * 0.9, `only ${attack.sent()} datagrams sent`);
    return { ms: (joinedAt ?? Infinity) - started, address };
  } finally {
    await receiver.close();
    await attack.stop();
  }
}

for (const keyed of [false, true]) {
  const label = keyed ? "with a key" : "without a key";

  Deno.test(`8-byte junk from 300 addresses, 3,000 a second, keeps no receiver out (${label})`, async () => {
    const { sender, limited } = limitedSender(keyed ? await run() : undefined);
    const random = new Random(8);
    const key = keyed ? KEY : undefined;
    try {
      const { ms } = await joinDuring(sender, sources(random, 300), () => random.bytes(8), { key });
      assert.equal(limited.size, 0, `junk used up the hellos' share: ${limited.size} limited`);
      assert.ok(ms <= 2000, `joined after ${ms.toFixed(0)} ms`);
    } finally {
      await sender.close();
    }
  });
}

Deno.test("hellos with the wrong key from 300 addresses, 3,000 a second, keep no key holder out", async () => {
  const { sender, limited } = limitedSender(await run());
  const random = new Random(9);
  const hello = () =>
    WRONG.sealHello(
      encodeControl({ type: PacketType.HELLO, session: 0, receiver: random.uint32(), time: 1 }),
    );
  try {
    // A key holder that knows the run's salt seals every hello it sends:
    // they draw on a share that the wrong keys cannot spend.
    const gate = new ReceiverGate(KEY);
    const salt = await probeSalt(gate, sender.addr, sleep(2000));
    assert.ok(salt !== undefined && gate.use(await KEY.stretch(salt)), "the salt");
    const known = await joinDuring(sender, sources(random, 300), hello, { key: KEY, gate });
    assert.ok(!limited.has(known.address), "the key holder's hellos were rate-limited");
    assert.ok(known.ms <= 2000, `joined after ${known.ms.toFixed(0)} ms`);
    assert.ok(limited.size > 100, "the wrong keys were");
    // One that starts from nothing asks for the salt in the clear first, as
    // anyone may: that one hello shares the strangers' share, and gets
    // through within a few.
    const fresh = await joinDuring(sender, sources(random, 300), hello, { key: KEY });
    assert.ok(
      fresh.ms <= 2000,
      `a key holder new to the run joined after ${fresh.ms.toFixed(0)} ms`,
    );
  } finally {
    await sender.close();
  }
});

Deno.test("hellos from 250 hosts of one /24, 3,000 a second, keep no receiver elsewhere out", async () => {
  const { sender, limited } = limitedSender();
  const random = new Random(10);
  const hello = () =>
    encodeControl({ type: PacketType.HELLO, session: 0, receiver: random.uint32(), time: 1 });
  try {
    const { ms, address } = await joinDuring(sender, sources(random, 250, "127.77.77"), hello);
    assert.ok(!limited.has(address), "the receiver's hellos were rate-limited");
    assert.ok(ms <= 2000, `joined after ${ms.toFixed(0)} ms`);
  } finally {
    await sender.close();
  }
});
