import assert from "node:assert/strict";
import { CookieSigner } from "../../lib/seal/cookie_signer.ts";
import {
  decodePacket,
  EMPTY_REPORT,
  encodeControl,
  encodeNack,
  type Packet,
  PacketType,
  RefusalReason,
} from "../../lib/wire/mod.ts";
import { ReceiverLink } from "../../lib/receive/receiver_link.ts";
import { ReceiverRegistry, type RegistryEvent } from "../../lib/send/receiver_registry.ts";
import { Random } from "../_random.ts";

const HERE: Deno.NetAddr = { transport: "udp", hostname: "10.0.0.2", port: 5000 };
const SPOOFED: Deno.NetAddr = { transport: "udp", hostname: "10.0.0.9", port: 5000 };

function decode(bytes: Uint8Array): Packet {
  const decoded = decodePacket(bytes);
  if (!decoded.ok) throw new Error(`undecodable: ${decoded.reason}`);
  return decoded.packet;
}

function setup(session = 0x1234) {
  const events: RegistryEvent[] = [];
  const registry = new ReceiverRegistry({
    session,
    signer: new CookieSigner(),
    onEvent: (event) => events.push(event),
  });
  return { registry, events };
}

/** Runs the handshake between a link and a registry; returns the registry's last reply. */
async function join(link: ReceiverLink, registry: ReceiverRegistry, now: number) {
  const hello = link.tick(now)!;
  const challenge = await registry.handle(decode(hello), HERE, now);
  assert.ok(challenge, "a hello gets a challenge");
  const { reply: joinMessage } = link.handle(decode(challenge), now);
  const ack = await registry.handle(decode(joinMessage!), HERE, now);
  assert.ok(ack, "a join with the right cookie gets an ack");
  link.handle(decode(ack), now + 1);
}

Deno.test("ReceiverRegistry streams to a receiver only after it echoes the cookie", async () => {
  const { registry, events } = setup();
  const link = new ReceiverLink({ receiver: 77 });
  const hello = link.tick(0)!;
  const challenge = await registry.handle(decode(hello), HERE, 0);
  assert.equal(registry.size, 0, "a hello alone earns no video");
  assert.ok(challenge!.length <= 3 * hello.length, "the challenge is at most 3 times the hello");
  const { reply } = link.handle(decode(challenge!), 0);
  await registry.handle(decode(reply!), HERE, 0);
  assert.equal(registry.size, 1);
  assert.equal(events[0].type, "receiver_joined");
});

Deno.test("ReceiverRegistry never streams to a spoofed address", async () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 77 });
  // The attacker sends a hello with the victim's address: the challenge goes to
  // the victim, so the attacker never learns the cookie and must guess it.
  await registry.handle(decode(link.tick(0)!), SPOOFED, 0);
  const guess = encodeControl({
    type: PacketType.JOIN,
    session: 0x1234,
    receiver: 77,
    time: 0,
    cookie: new Uint8Array(16),
  });
  assert.equal(await registry.handle(decode(guess), SPOOFED, 0), undefined);
  // A real cookie, earned at another address, does not work at the victim's.
  const challenge = await registry.handle(decode(link.tick(5000)!), HERE, 5000);
  const { reply } = link.handle(decode(challenge!), 5000);
  assert.equal(await registry.handle(decode(reply!), SPOOFED, 5000), undefined);
  assert.equal(registry.size, 0);
  assert.equal(registry.stats.badCookies, 2);
});

Deno.test("ReceiverRegistry drops a receiver silent for 5 s and logs why", async () => {
  const { registry, events } = setup();
  const link = new ReceiverLink({ receiver: 1 });
  await join(link, registry, 0);
  registry.expire(4000);
  assert.equal(registry.size, 1);
  registry.expire(5001);
  assert.equal(registry.size, 0);
  assert.deepEqual(events.at(-1), {
    type: "receiver_left",
    address: "10.0.0.2:5000",
    receiver: 1,
    reason: "timeout",
    receivers: 0,
  });
});

Deno.test("ReceiverRegistry keeps a receiver that sends keepalives", async () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 1 });
  await join(link, registry, 0);
  for (let now = 1000; now <= 20_000; now += 1000) {
    const keepalive = link.tick(now);
    assert.equal(decode(keepalive!).type, PacketType.KEEPALIVE);
    const ack = await registry.handle(decode(keepalive!), HERE, now);
    link.handle(decode(ack!), now);
    registry.expire(now);
  }
  assert.equal(registry.size, 1);
  assert.equal(link.state, "stalled", "joined, but no frame was shown");
});

Deno.test("ReceiverRegistry removes a receiver that says goodbye, and says goodbye on close", async () => {
  const { registry, events } = setup();
  const a = new ReceiverLink({ receiver: 1 });
  await join(a, registry, 0);
  await registry.handle(decode(a.bye()!), HERE, 10);
  assert.equal(registry.size, 0);
  const left = events.at(-1);
  assert.ok(left?.type === "receiver_left" && left.reason === "bye");
  const b = new ReceiverLink({ receiver: 2 });
  await join(b, registry, 20);
  const byes = registry.close();
  assert.equal(byes.length, 1);
  b.handle(decode(byes[0][1]), 30);
  assert.equal(b.state, "waiting");
});

Deno.test("ReceiverLink follows a sender restart to its new session", async () => {
  const first = setup(0x1111);
  const link = new ReceiverLink({ receiver: 5 });
  await join(link, first.registry, 0);
  assert.equal(link.session, 0x1111);
  // The sender restarts: a new registry that has never heard of this receiver.
  const second = setup(0x2222);
  const keepalive = link.tick(1000)!;
  const challenge = await second.registry.handle(decode(keepalive), HERE, 1000);
  assert.equal(decode(challenge!).type, PacketType.CHALLENGE);
  const { reply, sessionChanged } = link.handle(decode(challenge!), 1000);
  assert.ok(sessionChanged);
  const ack = await second.registry.handle(decode(reply!), HERE, 1000);
  link.handle(decode(ack!), 1000);
  assert.equal(link.session, 0x2222);
  assert.equal(second.registry.size, 1);
});

Deno.test("ReceiverLink waits for the sender when it goes silent, and keeps asking", async () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 5 });
  await join(link, registry, 0);
  link.frameShown(100);
  assert.equal(link.state, "live");
  link.tick(2500);
  assert.equal(link.state, "stalled");
  const hello = link.tick(4000);
  assert.equal(link.state, "waiting");
  assert.equal(decode(hello!).type, PacketType.HELLO, "it goes back to saying hello");
});

Deno.test("ReceiverLink accepts DATA only from the session it joined", async () => {
  const { registry } = setup(0x1234);
  const link = new ReceiverLink({ receiver: 5 });
  const data = { type: PacketType.DATA, frame: 0, frameLength: 1, index: 0, fragmentSize: 1 };
  const packet = (session: number) =>
    ({ ...data, session, captureTime: 0, payload: new Uint8Array(1) }) as Packet;
  assert.equal(link.handle(packet(0x1234), 0).accept, false, "not joined yet");
  await join(link, registry, 0);
  assert.equal(link.handle(packet(0x1234), 0).accept, true);
  assert.equal(link.handle(packet(0x9999), 0).accept, false);
});

Deno.test("ReceiverLink measures the round trip and the clock offset", () => {
  const link = new ReceiverLink({ receiver: 5 });
  const hello = decode(link.tick(1000)!);
  assert.equal(hello.type, PacketType.HELLO);
  link.handle(
    decode(encodeControl({
      type: PacketType.CHALLENGE,
      session: 3,
      receiver: 5,
      echoTime: 1000,
      senderTime: 0,
      cookie: new Uint8Array(16),
    })),
    1010,
  );
  // Sent at 1000, answered at sender time 5505 (sender clock 4500 ahead), back at 1010.
  link.handle(
    decode(encodeControl({
      type: PacketType.ACK,
      session: 3,
      receiver: 5,
      echoTime: 1000,
      senderTime: 5505,
    })),
    1010,
  );
  assert.equal(link.rttMs, 10);
  assert.equal(link.clockOffsetMs, 4500);
});

Deno.test("ReceiverRegistry ignores a keepalive or join with the wrong cookie", async () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 1 });
  await join(link, registry, 0);
  const forged = (type: typeof PacketType.JOIN | typeof PacketType.KEEPALIVE) =>
    decode(
      encodeControl({
        type,
        session: 0x1234,
        receiver: 1,
        time: 0,
        cookie: new Uint8Array(16),
        report: EMPTY_REPORT,
      }),
    );
  // A spoofer repeating these cannot keep video flowing to a receiver that left.
  for (let now = 1000; now <= 6000; now += 1000) {
    assert.equal(await registry.handle(forged(PacketType.KEEPALIVE), HERE, now), undefined);
    assert.equal(await registry.handle(forged(PacketType.JOIN), HERE, now), undefined);
    registry.expire(now);
  }
  assert.equal(registry.size, 0, "dropped after 5 s of silence despite the forgeries");
});

Deno.test("ReceiverRegistry answers a stray keepalive or old-session join within 3 times its size", async () => {
  const { registry } = setup();
  const cookie = new Uint8Array(16);
  for (const type of [PacketType.KEEPALIVE, PacketType.JOIN] as const) {
    const request = encodeControl({
      type,
      session: 0x9999,
      receiver: 1,
      time: 0,
      cookie,
      report: EMPTY_REPORT,
    });
    const reply = await registry.handle(decode(request), SPOOFED, 0);
    assert.equal(decode(reply!).type, PacketType.CHALLENGE);
    assert.ok(reply!.length <= 3 * request.length);
  }
  assert.equal(registry.size, 0);
});

Deno.test("A full sender refuses one receiver more, which says so and joins once there is room", async () => {
  const events: RegistryEvent[] = [];
  const registry = new ReceiverRegistry({
    session: 0x1234,
    signer: new CookieSigner(),
    maxReceivers: 1,
    onEvent: (event) => events.push(event),
  });
  await join(new ReceiverLink({ receiver: 1 }), registry, 0);
  const link = new ReceiverLink({ receiver: 2 });
  const other: Deno.NetAddr = { ...HERE, port: 5001 };
  const challenge = await registry.handle(decode(link.tick(0)!), other, 0);
  const { reply } = link.handle(decode(challenge!), 0);
  const refused = await registry.handle(decode(reply!), other, 0);
  assert.deepEqual(decode(refused!), {
    type: PacketType.REFUSED,
    session: 0x1234,
    reason: RefusalReason.FULL,
  });
  // Heard from a moment ago (the challenge): a REFUSED in the clear is not believed yet.
  link.handle(decode(refused!), 500);
  assert.equal(link.state, "connecting");
  link.handle(decode(refused!), 1500);
  assert.equal(link.state, "refused");
  assert.equal(link.reason, RefusalReason.FULL);
  assert.equal(events.at(-1)?.type, "receiver_refused");
});

Deno.test("ReceiverLink says hello at once when told its session is over", async () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 5 });
  await join(link, registry, 0);
  const stale = { type: PacketType.REFUSED, session: 0x9999, reason: RefusalReason.STALE } as const;
  assert.deepEqual(link.handle(stale, 500), {}, "the sender was heard just now");
  const { reply } = link.handle(stale, 2000);
  assert.equal(decode(reply!).type, PacketType.HELLO);
  assert.notEqual(link.state, "refused");
});

Deno.test("ReceiverLink says hello at most once a second however many STALE refusals come", async () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 5 });
  await join(link, registry, 0);
  const stale = { type: PacketType.REFUSED, session: 0x9999, reason: RefusalReason.STALE } as const;
  // The sender silent since 1 ms, and a refusal every 10 ms until the link gives it up at 3 s.
  let hellos = 0;
  for (let now = 1100; now < 3000; now += 10) {
    const { reply } = link.handle(stale, now);
    const sent = [reply, link.tick(now)].filter((datagram) => datagram !== undefined);
    hellos += sent.filter((datagram) => decode(datagram!).type === PacketType.HELLO).length;
  }
  assert.ok(hellos >= 1 && hellos <= 2, `${hellos} hellos in 1.9 s`);
});

Deno.test("ReceiverLink believes a sign that nothing authenticates only at the third, after 2 s of silence", async () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 5 });
  await join(link, registry, 0);
  // The sender, last heard at 1 ms, is merely quiet: any number of signs change nothing.
  for (let now = 1100; now < 2000; now += 10) link.doubt("wrongKey", now);
  assert.notEqual(link.state, "refused");
  link.doubt("wrongKey", 2100);
  link.doubt("wrongKey", 2200);
  assert.notEqual(link.state, "refused", "two signs");
  link.doubt("wrongKey", 2300);
  assert.equal(link.state, "refused");
  assert.equal(link.reason, "wrongKey");
  // A link that never heard its sender believes the third at once.
  const fresh = new ReceiverLink({ receiver: 6 });
  fresh.doubt(RefusalReason.NO_KEY, 0);
  fresh.doubt(RefusalReason.NO_KEY, 1);
  assert.equal(fresh.state, "connecting");
  fresh.doubt(RefusalReason.NO_KEY, 2);
  assert.equal(fresh.state, "refused");
  assert.equal(fresh.reason, RefusalReason.NO_KEY);
});

Deno.test("ReceiverLink ignores a challenge that echoes a hello older than 10 s", async () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 5 });
  const hello = link.tick(0)!;
  const challenge = await registry.handle(decode(hello), HERE, 0);
  assert.deepEqual(link.handle(decode(challenge!), 10_001), {});
  assert.ok(link.handle(decode(challenge!), 9_000).reply, "a fresh one is answered");
});

Deno.test("A receiver learns the sender's name and start from its ACK, and forgets them on a restart", async () => {
  const info = { name: "kitchen camera", startedAt: 1_700_000_000_000 };
  const registry = new ReceiverRegistry({ session: 0x1234, signer: new CookieSigner(), info });
  const link = new ReceiverLink({ receiver: 77 });
  assert.equal(link.senderInfo, undefined);
  await join(link, registry, 0);
  assert.deepEqual(link.senderInfo, info);
  // A sender restarted without info: what the old one said no longer holds.
  const restarted = new ReceiverRegistry({ session: 0x5678, signer: new CookieSigner() });
  link.tick(10_000);
  await join(link, restarted, 20_000);
  assert.equal(link.session, 0x5678);
  assert.equal(link.senderInfo, undefined);
});

Deno.test("ReceiverLink says hello twenty times a second for 10 s while apart, then once a second", async () => {
  const helloTimes = (link: ReceiverLink, from: number, to: number) => {
    const times: number[] = [];
    for (let now = from; now < to; now += 10) {
      const message = link.tick(now);
      if (message !== undefined && decode(message).type === PacketType.HELLO) times.push(now);
    }
    return times;
  };
  const link = new ReceiverLink({ receiver: 5 });
  const first = helloTimes(link, 0, 1000);
  assert.equal(first.length, 20, `hellos at ${first}`);
  assert.equal(helloTimes(link, 1000, 10_000).length, 180);
  assert.equal(helloTimes(link, 10_000, 15_000).length, 5, "once a second after 10 s");
  // Joined, then the sender says goodbye: quick hellos again, for a restart.
  const { registry } = setup();
  await join(link, registry, 16_000);
  link.frameShown(16_010);
  const [, bye] = registry.close()[0];
  link.handle(decode(bye), 16_500);
  assert.equal(link.state, "waiting");
  assert.equal(helloTimes(link, 16_500, 17_500).length, 20);
  // Refused: no hurry, once a second.
  const refused = new ReceiverLink({ receiver: 6 });
  refused.refuse(RefusalReason.WRONG_KEY, 0);
  assert.equal(helloTimes(refused, 0, 3000).length, 3);
});

Deno.test("ReceiverLink keeps one stalled round trip out of its smoothed round trip", () => {
  const link = new ReceiverLink({ receiver: 5 });
  link.tick(0);
  const challenge = decode(encodeControl({
    type: PacketType.CHALLENGE,
    session: 3,
    receiver: 5,
    echoTime: 0,
    senderTime: 0,
    cookie: new Uint8Array(16),
  }));
  const ack = (echoTime: number) =>
    decode(encodeControl({
      type: PacketType.ACK,
      session: 3,
      receiver: 5,
      echoTime,
      senderTime: echoTime,
    }));
  link.handle(challenge, 1);
  // The first round trip took 998 ms: the sender was busy when the join came.
  link.handle(ack(2), 1000);
  assert.equal(link.srttMs, 998);
  // The next keepalive comes back in 1 ms: the smoothed value follows at once.
  link.handle(ack(1250), 1251);
  assert.equal(link.srttMs, 1);
  link.handle(ack(1500), 1501);
  // One stalled answer among quick ones changes nothing.
  link.handle(ack(1750), 2750);
  assert.equal(link.rttMs, 1000);
  assert.equal(link.srttMs, 1);
});

Deno.test("ReceiverLink sends keepalives twenty times a second to a sender silent for two of them", async () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 5 });
  await join(link, registry, 0);
  const keepalives = (from: number, to: number, answer: boolean) => {
    let count = 0;
    for (let now = from; now < to; now += 10) {
      const message = link.tick(now);
      if (message === undefined) continue;
      const packet = decode(message);
      if (packet.type !== PacketType.KEEPALIVE) continue;
      count++;
      // A sender that answers: its ACK is heard at once.
      if (answer) link.handle(decode(registry.handle(packet, HERE, now)!), now);
    }
    return count;
  };
  assert.equal(keepalives(0, 2000, true), 7, "four a second while the sender answers");
  // Killed: nothing heard from 2 s on; after two keepalives' silence, quick ones.
  const silent = keepalives(2000, 3000, false);
  assert.ok(silent >= 15 && silent <= 17, `${silent} keepalives in the first silent second`);
});

/** The handshake up to the ACK at `now`; returns the JOIN the link sent. */
function joinWith(link: ReceiverLink, registry: ReceiverRegistry, now: number): Uint8Array {
  const challenge = registry.handle(decode(link.tick(now)!), HERE, now);
  const { reply: joinMessage } = link.handle(decode(challenge!), now);
  const ack = registry.handle(decode(joinMessage!), HERE, now);
  assert.equal(decode(ack!).type, PacketType.ACK);
  link.handle(decode(ack!), now);
  return joinMessage!;
}

Deno.test("ReceiverRegistry answers a JOIN replayed every 3 s only while its cookie is fresh", () => {
  const { registry } = setup();
  const join = joinWith(new ReceiverLink({ receiver: 1 }), registry, 0);
  // Captured, then replayed for an hour by someone who never sees a challenge.
  const acked: number[] = [];
  for (let now = 3000; now <= 3_600_000; now += 3000) {
    if (registry.handle(decode(join), HERE, now) !== undefined) acked.push(now);
    registry.expire(now);
  }
  assert.ok(
    acked.length <= 4,
    `${acked.length} replays answered, the last at ${(acked.at(-1) ?? 0) / 1000} s`,
  );
  assert.equal(registry.size, 0, "the replayed JOIN kept the receiver");
});

Deno.test("ReceiverRegistry takes no JOIN with a cookie issued before a goodbye from that address", () => {
  const { registry, events } = setup();
  const link = new ReceiverLink({ receiver: 1 });
  const join = joinWith(link, registry, 0);
  registry.handle(decode(link.bye()!), HERE, 1000);
  assert.equal(registry.size, 0);
  for (const now of [1001, 2000, 4000, 7000]) {
    const reply = registry.handle(decode(join), HERE, now);
    assert.ok(reply === undefined, `the replay at ${now} ms earned type ${reply?.[3]}`);
  }
  assert.equal(registry.size, 0, "a replayed JOIN brought the receiver back after its goodbye");
  assert.equal(events.filter((e) => e.type === "receiver_joined").length, 1);
  // A receiver there that says hello again gets a new cookie and joins at once.
  joinWith(new ReceiverLink({ receiver: 1 }), registry, 7000);
  assert.equal(registry.size, 1);
});

Deno.test("ReceiverRegistry drops a receiver whose keepalives stop proving it receives its cookies", () => {
  const { registry } = setup();
  const link = new ReceiverLink({ receiver: 1 });
  joinWith(link, registry, 0);
  const keepalive = decode(link.tick(250)!);
  assert.equal(keepalive.type, PacketType.KEEPALIVE);
  // The receiver is gone; its keepalive, captured, comes four times a second.
  const challenged: number[] = [];
  let droppedAt: number | undefined;
  for (let now = 250; now <= 120_000 && droppedAt === undefined; now += 250) {
    const reply = registry.handle(keepalive, HERE, now);
    if (reply !== undefined && decode(reply).type === PacketType.CHALLENGE) challenged.push(now);
    registry.expire(now);
    if (registry.size === 0) droppedAt = now;
  }
  assert.ok(droppedAt !== undefined, "kept for 2 minutes by one replayed keepalive");
  assert.ok(droppedAt <= 20_000, `dropped only at ${droppedAt} ms`);
  assert.ok(challenged.length > 0 && challenged[0] <= 6000, "asked for proof again");
});

Deno.test("ReceiverRegistry keeps a receiver that answers for an hour of new cookies, 30 % lost each way", () => {
  const random = new Random(13);
  const { registry, events } = setup();
  const link = new ReceiverLink({ receiver: 1 });
  const carry = (message: Uint8Array | undefined) =>
    message !== undefined && !random.chance(0.3) ? decode(message) : undefined;
  let challenges = 0;
  let nacks = 0;
  for (let now = 0; now <= 3_600_000; now += 50) {
    let up = carry(link.tick(now));
    while (up !== undefined) {
      const down = carry(registry.handle(up, HERE, now));
      if (down?.type === PacketType.CHALLENGE) challenges++;
      up = down === undefined ? undefined : carry(link.handle(down, now).reply);
    }
    registry.expire(now);
    const cookie = link.cookie;
    if (cookie !== undefined && now % 1000 === 0) {
      const nack = encodeNack({
        session: 0x1234,
        receiver: 1,
        cookie,
        ranges: [{ frame: 0, index: 0, count: 1 }],
      });
      const decoded = decode(nack);
      assert.ok(decoded.type === PacketType.NACK);
      if (registry.verify(decoded, HERE, now) !== undefined) nacks++;
    }
  }
  const left = events.filter((e) => e.type === "receiver_left");
  assert.deepEqual(left, [], "the receiver dropped out");
  assert.equal(events.filter((e) => e.type === "receiver_joined").length, 1);
  assert.ok(nacks >= 3590, `${nacks} of its NACKs honoured`);
  assert.ok(challenges >= 360, `a new cookie ${challenges} times in an hour`);
});

Deno.test("CookieSigner's cookie says when it was made, and proves nothing once older than maxAgeMs", () => {
  const signer = new CookieSigner({ maxAgeMs: 10_000 });
  const made = 1_700_000_000_123.7;
  const cookie = signer.sign("10.0.0.2:5000", 7, made);
  assert.equal(cookie.length, 16);
  assert.equal(signer.verify(cookie, "10.0.0.2:5000", 7, made + 10_000), 1_700_000_000_123);
  assert.equal(signer.verify(cookie, "10.0.0.2:5000", 7, made + 10_001), undefined, "too old");
  assert.equal(signer.verify(cookie, "10.0.0.2:5000", 7, made - 1), undefined, "not made yet");
  assert.equal(signer.verify(cookie, "10.0.0.2:5001", 7, made), undefined, "another address");
  assert.equal(signer.verify(cookie, "10.0.0.2:5000", 8, made), undefined, "another receiver");
  for (let i = 0; i < 16; i++) {
    const changed = cookie.slice();
    changed[i] ^= 1;
    assert.equal(signer.verify(changed, "10.0.0.2:5000", 7, made), undefined, `byte ${i}`);
  }
  assert.equal(new CookieSigner().verify(cookie, "10.0.0.2:5000", 7, made), undefined);
  assert.throws(() => new CookieSigner({ maxAgeMs: 0 }), RangeError);
});
