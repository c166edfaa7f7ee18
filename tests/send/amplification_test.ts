import assert from "node:assert/strict";
import { NonceSequence } from "../../lib/seal/nonce_sequence.ts";
import { sealDatagram } from "../../lib/seal/datagram_seal.ts";
import {
  COOKIE_SIZE,
  decodePacket,
  EMPTY_REPORT,
  encodeControl,
  encodeNack,
  MAGIC,
  PacketType,
  VERSION,
} from "../../lib/wire/mod.ts";
import { StreamKey } from "../../lib/seal/stream_key.ts";
import { StreamSecret } from "../../lib/seal/stream_secret.ts";
import { UdpSender } from "../../lib/send/udp_sender.ts";
import { HelloLimiter } from "../../lib/send/hello_limiter.ts";
import { Random } from "../_random.ts";

/** No rate limit, so that every probe below is answered as it would be alone. */
function unlimited(): HelloLimiter {
  return new HelloLimiter({
    perAddressRate: 1e6,
    perAddressBurst: 1e6,
    perNetworkRate: 1e6,
    perNetworkBurst: 1e6,
    globalRate: 1e6,
    globalBurst: 1e6,
  });
}

const SECRET = await new StreamKey("amplification test secret").stretch(StreamSecret.salt());
const OTHER = await new StreamKey("a different secret entirely").stretch(StreamSecret.salt());

function bind(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
}

/** A sender that answers every probe as it would answer it alone. */
function unlimitedSender(keyed: boolean): UdpSender {
  return new UdpSender({
    socket: bind(),
    secret: keyed ? SECRET : undefined,
    limiter: unlimited(),
    keyHolderLimiter: unlimited(),
  });
}

/** Everything `socket` receives until `ms` pass without a datagram. */
async function drain(socket: Deno.DatagramConn, ms = 60): Promise<Uint8Array[]> {
  const got: Uint8Array[] = [];
  const buffer = new Uint8Array(65_536);
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const quiet = new Promise<undefined>((resolve) =>
      timer = setTimeout(() => resolve(undefined), ms)
    );
    const next = await Promise.race([socket.receive(buffer), quiet]);
    clearTimeout(timer);
    if (next === undefined) return got;
    got.push(next[0].slice());
  }
}

/** A frame to keep the sender busy: 20 KB of JPEG-shaped bytes. */
function frame(): { data: Uint8Array; captureTime: number } {
  const data = new Uint8Array(20_000).fill(7);
  data.set([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 240, 1, 64, 3]);
  data.set([0xff, 0xd9], data.length - 2);
  return { data, captureTime: Date.now() };
}

/** What an unverified address might send: every message type, sealed or not, and junk. */
function probes(session: number): Uint8Array[] {
  const cookie = new Uint8Array(COOKIE_SIZE).fill(1);
  const receiver = 77;
  const time = Date.now();
  const clear = [
    encodeControl({ type: PacketType.HELLO, session: 0, receiver, time }),
    // A receiver with a key asking for the salt: a 40-byte REFUSED answers it.
    encodeControl({
      type: PacketType.HELLO,
      session: 0,
      receiver,
      time,
      nonce: new Uint8Array(12).fill(9),
    }),
    encodeControl({ type: PacketType.JOIN, session, receiver, time, cookie }),
    encodeControl({ type: PacketType.JOIN, session: session + 1, receiver, time, cookie }),
    encodeControl({
      type: PacketType.KEEPALIVE,
      session,
      receiver,
      time,
      cookie,
      report: EMPTY_REPORT,
    }),
    encodeControl({ type: PacketType.BYE, session, receiver, cookie }),
    encodeNack({ session, receiver, cookie, ranges: [{ frame: 0, index: 0, count: 0x7ffe }] }),
  ];
  const sealed = clear.flatMap((datagram) => [
    SECRET.sealHello(datagram),
    OTHER.sealHello(datagram),
    sealDatagram(datagram, new Uint8Array(16), new NonceSequence().next()),
  ]);
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
  const junk = Array.from({ length: 40 }, (_, i) => {
    const bytes = Uint8Array.from({ length: 1 + i * 7 }, random);
    if (bytes.length >= 8) bytes.set([0x55, 0x43, 1, (i % 11) | (i % 2 ? 0x80 : 0)]);
    return bytes;
  });
  return [...clear, ...sealed, ...junk];
}

/**
 * Every type byte (sealed bit set and not) at every length from 0 to 64: with
 * the magic and version and the sender's session, with another session, and
 * with zeros where the magic and version go.
 */
function shapes(session: number): Uint8Array[] {
  const random = new Random(64);
  const all: Uint8Array[] = [];
  for (let type = 0; type < 256; type++) {
    for (let length = 0; length <= 64; length++) {
      for (const variant of ["session", "other", "zeros"] as const) {
        const bytes = random.bytes(length);
        const header = new Uint8Array(8);
        const view = new DataView(header.buffer);
        if (variant !== "zeros") view.setUint16(0, MAGIC), view.setUint8(2, VERSION);
        view.setUint8(3, type);
        view.setUint32(4, variant === "session" ? session : session ^ 0x5a5a5a5a);
        bytes.set(header.subarray(0, Math.min(8, length)));
        all.push(bytes);
      }
    }
  }
  return all;
}

/** The receiver id of the hellos that mark where one probe's answers end. */
const MARKER = 0xc0ffee;

/**
 * Sends each datagram, then a hello whose send time is its index, and adds up
 * what comes back before the hello's challenge: the sender answers in the
 * order it receives, so that is what the datagram earned.
 */
async function answers(
  sender: UdpSender,
  probe: Deno.DatagramConn,
  datagrams: Uint8Array[],
  keyed: boolean,
): Promise<Uint8Array[][]> {
  const seal = (datagram: Uint8Array) => keyed ? SECRET.sealHello(datagram) : datagram;
  const markerOf = (reply: Uint8Array): number | undefined => {
    const plain = keyed ? SECRET.openHello(reply) : reply;
    const decoded = plain === undefined ? undefined : decodePacket(plain);
    return decoded?.ok && decoded.packet.type === PacketType.CHALLENGE &&
        decoded.packet.receiver === MARKER
      ? decoded.packet.echoTime
      : undefined;
  };
  const earned: Uint8Array[][] = datagrams.map(() => []);
  const buffer = new Uint8Array(65_536);
  const BATCH = 64;
  for (let start = 0; start < datagrams.length; start += BATCH) {
    const end = Math.min(datagrams.length, start + BATCH);
    for (let i = start; i < end; i++) {
      await probe.send(datagrams[i], sender.addr);
      // With a key, a sealed hello carries a nonce, or it is not answered.
      const marker = encodeControl({
        type: PacketType.HELLO,
        session: keyed ? sender.session : 0,
        receiver: MARKER,
        time: i,
        nonce: keyed ? new Uint8Array(12).fill(1) : undefined,
      });
      await probe.send(seal(marker), sender.addr);
    }
    let at = start;
    while (at < end) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<undefined>((resolve) =>
        timer = setTimeout(() => resolve(undefined), 2000)
      );
      const next = await Promise.race([probe.receive(buffer), late]);
      clearTimeout(timer);
      assert.ok(next !== undefined, `no answer to the hello after datagram ${at}`);
      const reply = next[0].slice();
      const marker = markerOf(reply);
      if (marker === undefined) earned[at].push(reply);
      else at = marker + 1;
    }
    if (start % (BATCH * 64) === 0) await sender.send(frame());
  }
  return earned;
}

for (const keyed of [false, true]) {
  const label = keyed ? "with a key" : "without a key";

  Deno.test(`an unverified address gets back at most 3 times what it sent (${label})`, async () => {
    const sender = unlimitedSender(keyed);
    const probe = bind();
    let answered = 0;
    try {
      for (const [i, datagram] of probes(sender.session).entries()) {
        await probe.send(datagram, sender.addr);
        await sender.send(frame());
        const replies = await drain(probe);
        const bytes = replies.reduce((sum, reply) => sum + reply.length, 0);
        if (replies.length > 0) answered++;
        assert.ok(
          bytes <= 3 * datagram.length,
          `${datagram.length} bytes (type ${datagram[3]}) earned ${bytes} bytes back`,
        );
        // The largest answer to a hello: the salt, echo and all, to a 32-byte hello.
        if (keyed && i === 1) assert.deepEqual([datagram.length, bytes], [32, 40]);
        for (const reply of replies) {
          assert.notEqual(reply[3] & 0x7f, PacketType.DATA, "no video to an unverified address");
        }
      }
      assert.equal(sender.receivers, 0);
      // Hellos, stray keepalives and joins, refusals: most get an answer.
      assert.ok(answered >= 5, `only ${answered} answered`);
    } finally {
      probe.close();
      await sender.close();
    }
  });

  Deno.test(`a spoofed hello never brings video to the address it names (${label})`, async () => {
    const sender = new UdpSender({ socket: bind(), secret: keyed ? SECRET : undefined });
    // The victim is the address a spoofed hello claims; the attacker never sees
    // what the sender sends there, so it can only guess the cookie, or use its own.
    const victim = bind();
    const attacker = bind();
    try {
      const seal = (datagram: Uint8Array) => keyed ? SECRET.sealHello(datagram) : datagram;
      // With a key, a hello names the sender's session and carries a nonce.
      const hello = encodeControl({
        type: PacketType.HELLO,
        session: keyed ? sender.session : 0,
        receiver: 5,
        time: 1,
        nonce: keyed ? new Uint8Array(12).fill(5) : undefined,
      });
      await attacker.send(seal(hello), sender.addr);
      const [challenge] = await drain(attacker);
      assert.ok(challenge, "the attacker's own hello is answered");
      await victim.send(seal(hello), sender.addr);
      const guesses = [new Uint8Array(COOKIE_SIZE), crypto.getRandomValues(new Uint8Array(16))];
      for (const cookie of guesses) {
        const join = encodeControl({
          type: PacketType.JOIN,
          session: sender.session,
          receiver: 5,
          time: 2,
          cookie,
        });
        await victim.send(keyed ? SECRET.sealHello(join) : join, sender.addr);
      }
      for (let i = 0; i < 10; i++) await sender.send(frame());
      const replies = await drain(victim, 200);
      assert.equal(sender.receivers, 0, "nobody joined");
      assert.ok(replies.length <= 1, `the victim got ${replies.length} datagrams`);
      for (const reply of replies) assert.equal(reply[3] & 0x7f, PacketType.CHALLENGE);
    } finally {
      victim.close();
      attacker.close();
      await sender.close();
    }
  });

  Deno.test(`every type byte at every length up to 64 earns at most 3 times its size (${label})`, async () => {
    const sender = unlimitedSender(keyed);
    const probe = bind();
    try {
      const datagrams = shapes(sender.session);
      const earned = await answers(sender, probe, datagrams, keyed);
      const over: string[] = [];
      const foreign: string[] = [];
      for (const [i, replies] of earned.entries()) {
        const bytes = replies.reduce((sum, reply) => sum + reply.length, 0);
        const datagram = datagrams[i];
        const head = [...datagram.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0"));
        const shape = `${datagram.length} bytes (${head.join(" ")}) earned ${bytes}`;
        if (bytes > 3 * datagram.length) over.push(shape);
        if (bytes > 0 && datagram[0] !== MAGIC >> 8) foreign.push(shape);
        for (const reply of replies) {
          assert.notEqual(reply[3] & 0x7f, PacketType.DATA, "no video to an unverified address");
        }
      }
      assert.deepEqual(over.slice(0, 8), [], `${over.length} of ${datagrams.length} over 3 times`);
      assert.deepEqual(foreign.slice(0, 8), [], `${foreign.length} without the magic answered`);
      assert.equal(sender.receivers, 0);
    } finally {
      probe.close();
      await sender.close();
    }
  });
}

Deno.test("hellos from one address beyond its share are not answered", async () => {
  const sender = new UdpSender({ socket: bind() });
  const probe = bind();
  try {
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      const hello = encodeControl({ type: PacketType.HELLO, session: 0, receiver: i, time: 1 });
      await probe.send(hello, sender.addr);
    }
    const replies = await drain(probe, 100);
    const seconds = (performance.now() - started) / 1000;
    // A burst of 10, then 5 a second.
    assert.ok(replies.length >= 10, `${replies.length} answered`);
    assert.ok(replies.length <= 10 + Math.ceil(5 * seconds), `${replies.length} answered`);
    assert.ok(sender.stats.rejected.rateLimited >= 200 - replies.length);
  } finally {
    probe.close();
    await sender.close();
  }
});
