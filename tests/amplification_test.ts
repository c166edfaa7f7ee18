import assert from "node:assert/strict";
import { NonceSequence } from "../lib/nonce_sequence.ts";
import { sealDatagram } from "../lib/datagram_seal.ts";
import { COOKIE_SIZE, EMPTY_REPORT, encodeControl, encodeNack, PacketType } from "../lib/packet.ts";
import { StreamKey } from "../lib/stream_key.ts";
import { StreamSecret } from "../lib/stream_secret.ts";
import { UdpSender } from "../lib/udp_sender.ts";
import { HelloLimiter } from "../lib/hello_limiter.ts";

/** No rate limit, so that every probe below is answered as it would be alone. */
function unlimited(): HelloLimiter {
  return new HelloLimiter({
    perAddressRate: 1e6,
    perAddressBurst: 1e6,
    globalRate: 1e6,
    globalBurst: 1e6,
  });
}

const SECRET = await new StreamKey("amplification test secret").stretch(StreamSecret.salt());
const OTHER = await new StreamKey("a different secret entirely").stretch(StreamSecret.salt());

function bind(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
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

for (const keyed of [false, true]) {
  const label = keyed ? "with a key" : "without a key";

  Deno.test(`an unverified address gets back at most 3 times what it sent (${label})`, async () => {
    const sender = new UdpSender({
      socket: bind(),
      secret: keyed ? SECRET : undefined,
      limiter: unlimited(),
    });
    const probe = bind();
    let answered = 0;
    try {
      for (const datagram of probes(sender.session)) {
        await probe.send(datagram, sender.addr);
        await sender.send(frame());
        const replies = await drain(probe);
        const bytes = replies.reduce((sum, reply) => sum + reply.length, 0);
        if (replies.length > 0) answered++;
        assert.ok(
          bytes <= 3 * datagram.length,
          `${datagram.length} bytes (type ${datagram[3]}) earned ${bytes} bytes back`,
        );
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
