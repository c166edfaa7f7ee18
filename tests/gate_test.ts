import assert from "node:assert/strict";
import { HelloLimiter } from "../lib/hello_limiter.ts";
import {
  COOKIE_SIZE,
  decodePacket,
  EMPTY_REPORT,
  encodeControl,
  PacketType,
  RefusalReason,
} from "../lib/packet.ts";
import { CookieSigner } from "../lib/cookie_signer.ts";
import { ReceiverGate } from "../lib/receiver_gate.ts";
import { ReceiverLink } from "../lib/receiver_link.ts";
import { ReceiverRegistry, type RegistryEvent } from "../lib/receiver_registry.ts";
import { SenderGate } from "../lib/sender_gate.ts";
import { StreamSecret } from "../lib/stream_secret.ts";

const SECRET = new StreamSecret("the gate tests' secret, long enough");
const WRONG = new StreamSecret("some other secret, also long enough");
const PEER = "192.0.2.1:5000";
const cookie = new Uint8Array(COOKIE_SIZE).fill(3);

function hello(): Uint8Array {
  return encodeControl({ type: PacketType.HELLO, session: 0, receiver: 9, time: Date.now() });
}

function keepalive(session: number): Uint8Array {
  return encodeControl({
    type: PacketType.KEEPALIVE,
    session,
    receiver: 9,
    time: Date.now(),
    cookie,
    report: EMPTY_REPORT,
  });
}

function refusal(reply: Uint8Array | undefined): number | undefined {
  if (reply === undefined) return undefined;
  const decoded = decodePacket(reply);
  assert.ok(decoded.ok && decoded.packet.type === PacketType.REFUSED);
  return decoded.packet.reason;
}

/** A CHALLENGE with the sender's salt, sealed by its gate. */
function sealedChallenge(sender: SenderGate): Uint8Array {
  return sender.seal(encodeControl({
    type: PacketType.CHALLENGE,
    session: 7,
    receiver: 9,
    echoTime: 1,
    senderTime: 2,
    cookie,
    salt: sender.salt,
  }));
}

/** A sender's gate and a receiver's gate that went through the handshake. */
function pair(): { sender: SenderGate; receiver: ReceiverGate } {
  const sender = new SenderGate({ session: 7, secret: SECRET });
  const receiver = new ReceiverGate(SECRET);
  const taken = receiver.take(sealedChallenge(sender));
  assert.ok(taken.ok && taken.packet.type === PacketType.CHALLENGE);
  return { sender, receiver };
}

Deno.test("SenderGate tells each refused hello why: a key needed, the wrong key, no key here", () => {
  const keyed = new SenderGate({ session: 7, secret: SECRET });
  const plain = keyed.take(hello(), PEER, false, 0);
  assert.ok(!plain.ok && plain.reason === "unsealed");
  assert.equal(refusal(plain.reply), RefusalReason.KEY_REQUIRED);
  const wrong = keyed.take(WRONG.sealHello(hello()), PEER, false, 0);
  assert.ok(!wrong.ok && wrong.reason === "wrongKey");
  assert.equal(refusal(wrong.reply), RefusalReason.WRONG_KEY);
  const right = keyed.take(SECRET.sealHello(hello()), PEER, false, 0);
  assert.ok(right.ok && right.packet.type === PacketType.HELLO);

  const open = new SenderGate({ session: 7 });
  const sealed = open.take(SECRET.sealHello(hello()), PEER, false, 0);
  assert.ok(!sealed.ok && sealed.reason === "sealed");
  assert.equal(refusal(sealed.reply), RefusalReason.NO_KEY);
  assert.ok(open.take(hello(), PEER, false, 0).ok);
});

Deno.test("SenderGate drops a replayed keepalive from a receiver, and tells an old one to say hello", () => {
  const { sender, receiver } = pair();
  sender.joined(PEER);
  const datagram = receiver.seal(keepalive(7))!;
  assert.ok(sender.take(datagram, PEER, true, 0).ok);
  const again = sender.take(datagram, PEER, true, 0);
  assert.ok(!again.ok && again.reason === "replayed");
  // A keepalive sealed for another run of the sender.
  const old = new SenderGate({ session: 8, secret: SECRET }).take(datagram, PEER, false, 0);
  assert.ok(!old.ok && old.reason === "stale");
  // Sealed with the hello key: a receiver with this key can believe it, a spoofer cannot forge it.
  assert.equal(refusal(SECRET.openHello(old.reply!)), RefusalReason.STALE);
  assert.ok(receiver.take(old.reply!).ok);
  // A JOIN may come again: a receiver that restarted at the same address.
  const join = encodeControl({ type: PacketType.JOIN, session: 7, receiver: 9, time: 1, cookie });
  const sealedJoin = receiver.seal(join)!;
  assert.ok(sender.take(sealedJoin, PEER, true, 0).ok);
  assert.ok(sender.take(sealedJoin, PEER, true, 0).ok);
  sender.left(PEER);
  assert.ok(sender.take(datagram, PEER, false, 0).ok, "no window once it left");
});

Deno.test("SenderGate answers an address not streamed to only within its share", () => {
  const gate = new SenderGate({
    session: 7,
    limiter: new HelloLimiter({ perAddressBurst: 2, perAddressRate: 1 }),
  });
  assert.ok(gate.take(hello(), "192.0.2.1:1", false, 0).ok);
  assert.ok(gate.take(hello(), "192.0.2.1:2", false, 0).ok);
  const third = gate.take(hello(), "192.0.2.1:3", false, 0);
  assert.ok(!third.ok && third.reason === "rateLimited" && third.reply === undefined);
  assert.ok(gate.take(hello(), "192.0.2.1:3", true, 0).ok, "a receiver streamed to is not limited");
  assert.ok(gate.take(hello(), "[2001:db8::1]:4", false, 0).ok, "another address");
});

Deno.test("ReceiverGate opens the session's datagrams once, and only with the right key", () => {
  const { sender, receiver } = pair();
  const ack = encodeControl({
    type: PacketType.ACK,
    session: 7,
    receiver: 9,
    echoTime: 1,
    senderTime: 2,
  });
  const sealed = sender.seal(ack);
  assert.ok(receiver.take(sealed).ok);
  const replay = receiver.take(sealed);
  assert.ok(!replay.ok && replay.reason === "replayed");
  const unsealed = receiver.take(ack);
  assert.ok(!unsealed.ok && unsealed.reason === "unsealed");
  const refused = encodeControl({ type: PacketType.REFUSED, session: 7, reason: 2 });
  assert.ok(receiver.take(refused).ok, "a refusal that says the keys differ comes in the clear");
  const stale = encodeControl({ type: PacketType.REFUSED, session: 7, reason: 5 });
  const forged = receiver.take(stale);
  assert.ok(!forged.ok && forged.reason === "unsealed", "the others must be sealed");
  const other = new SenderGate({ session: 8, secret: SECRET });
  const old = receiver.take(other.seal(retag(ack, 8)));
  assert.ok(!old.ok && old.reason === "stale");
  const wrong = new ReceiverGate(WRONG).take(sealedChallenge(sender));
  assert.ok(!wrong.ok && wrong.reason === "wrongKey" && wrong.handshake);
  const keyless = new ReceiverGate().take(sealed);
  assert.ok(!keyless.ok && keyless.reason === "sealed");
  // Nothing is sealed for the session before its challenge.
  assert.equal(new ReceiverGate(SECRET).seal(keepalive(7)), undefined);
  assert.ok(new ReceiverGate(SECRET).seal(hello()) !== undefined);
});

/** A copy of a datagram with another session id. */
function retag(datagram: Uint8Array, session: number): Uint8Array {
  const copy = datagram.slice();
  new DataView(copy.buffer).setUint32(4, session);
  return copy;
}

/** A limiter that answers one datagram and no more. */
function once(): HelloLimiter {
  return new HelloLimiter({ globalBurst: 1, globalRate: 1e-9 });
}

Deno.test("SenderGate drops what is not a receiver's datagram by header and size: unanswered, uncharged", () => {
  for (const secret of [undefined, SECRET]) {
    const gate = new SenderGate({ session: 7, secret, limiter: once(), keyHolderLimiter: once() });
    const sealedStale = SECRET.sealHello(keepalive(8));
    const junk: Array<[Uint8Array, string]> = [
      [new Uint8Array([0x55, 0x43, 1]), "short"],
      [new Uint8Array([0, 0, 0, 0x84, 1, 2, 3, 4]), "foreign"],
      [sealedStale.slice().fill(0, 0, 3), "foreign"],
      [Uint8Array.from([0x55, 0x43, 2, ...sealedStale.subarray(3)]), "version"],
      [new Uint8Array([0x55, 0x43, 1, 0x84, 0, 0, 0, 8]), "short"],
      [sealedStale.subarray(0, 91), "short"],
      [hello().subarray(0, 31), "short"],
      [sender(PacketType.CHALLENGE), "type"],
      [sender(PacketType.ACK), "type"],
      [sender(PacketType.REFUSED), "type"],
      [Uint8Array.from([0x55, 0x43, 1, 0x87, ...new Uint8Array(60)]), "type"],
      [Uint8Array.from([0x55, 0x43, 1, 0x0b, ...new Uint8Array(60)]), "type"],
    ];
    for (const [datagram, reason] of junk) {
      const taken = gate.take(datagram, `198.51.100.${datagram.length}:9`, false, 0);
      const head = [...datagram.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0"));
      assert.deepEqual(
        taken.ok ? "taken" : `${taken.reason}, ${taken.reply?.length ?? "no"} bytes back`,
        `${reason}, no bytes back`,
        `${datagram.length} bytes (${head.join(" ")})`,
      );
    }
    // Nothing was charged: the one answer the limiter allows is still there.
    const first = gate.take(secret ? SECRET.sealHello(hello()) : hello(), PEER, false, 0);
    assert.ok(first.ok, `a hello after the junk (${secret ? "key" : "no key"})`);
  }
});

Deno.test("SenderGate answers hellos that authenticate from a share no one without the key spends", () => {
  const gate = new SenderGate({
    session: 7,
    secret: SECRET,
    limiter: once(),
    keyHolderLimiter: once(),
  });
  const first = gate.take(WRONG.sealHello(hello()), "198.51.100.1:9", false, 0);
  assert.ok(!first.ok && first.reason === "wrongKey" && first.reply !== undefined);
  for (let i = 2; i < 50; i++) {
    const wrong = gate.take(WRONG.sealHello(hello()), `198.51.100.${i}:9`, false, 0);
    assert.ok(!wrong.ok && wrong.reason === "rateLimited" && wrong.reply === undefined);
    const plain = gate.take(hello(), `198.51.100.${i}:9`, false, 0);
    assert.ok(!plain.ok && plain.reason === "rateLimited", "a hello in the clear");
  }
  assert.ok(gate.take(SECRET.sealHello(hello()), PEER, false, 0).ok, "the key holder");
  const second = gate.take(SECRET.sealHello(hello()), "192.0.2.2:5000", false, 0);
  assert.ok(!second.ok && second.reason === "rateLimited", "the key holders' share is its own");
});

Deno.test("SenderGate charges no share for a JOIN of this session, which its cookie must prove", () => {
  const join = (session: number) =>
    encodeControl({ type: PacketType.JOIN, session, receiver: 9, time: 1, cookie });
  const open = new SenderGate({ session: 7, limiter: once() });
  assert.ok(open.take(hello(), PEER, false, 0).ok);
  for (let i = 0; i < 10; i++) assert.ok(open.take(join(7), PEER, false, 0).ok, `JOIN ${i}`);
  const old = open.take(join(8), PEER, false, 0);
  assert.ok(!old.ok && old.reason === "rateLimited", "one of another session gets a challenge");
  const keyed = new SenderGate({ session: 7, secret: SECRET, limiter: once() });
  const receiver = new ReceiverGate(SECRET);
  assert.ok(receiver.take(sealedChallenge(keyed)).ok);
  const plain = keyed.take(hello(), PEER, false, 0);
  assert.ok(!plain.ok && plain.reply !== undefined, "a hello in the clear spends the share");
  for (let i = 0; i < 10; i++) {
    assert.ok(keyed.take(receiver.seal(join(7))!, PEER, false, 0).ok, `sealed JOIN ${i}`);
  }
  const clear = keyed.take(join(7), PEER, false, 0);
  assert.ok(!clear.ok && clear.reason === "rateLimited", "in the clear, it would earn a refusal");
});

/** A datagram of `type` that only a sender sends, from a stranger. */
function sender(type: number): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set([0x55, 0x43, 1, type, 0, 0, 0, 7]);
  return bytes;
}

Deno.test("A receiver with the key takes a new cookie every 5 s through both gates, and stays joined", () => {
  const events: RegistryEvent[] = [];
  const senderGate = new SenderGate({ session: 7, secret: SECRET });
  const registry = new ReceiverRegistry({
    session: 7,
    signer: new CookieSigner(),
    salt: senderGate.salt,
    onEvent: (event) => {
      events.push(event);
      if (event.type === "receiver_joined") senderGate.joined(event.address);
      if (event.type === "receiver_left") senderGate.left(event.address);
    },
  });
  const here: Deno.NetAddr = { transport: "udp", hostname: "192.0.2.1", port: 5000 };
  const receiverGate = new ReceiverGate(SECRET);
  const link = new ReceiverLink({ receiver: 9 });
  const cookies = new Set<string>();
  for (let now = 0; now <= 60_000; now += 50) {
    let message = link.tick(now);
    while (message !== undefined) {
      const up = receiverGate.seal(message);
      const taken = up && senderGate.take(up, PEER, registry.has(PEER), now);
      const reply = taken?.ok ? registry.handle(taken.packet, here, now) : undefined;
      const down = reply && receiverGate.take(senderGate.seal(reply));
      message = down?.ok ? link.handle(down.packet, now).reply : undefined;
    }
    registry.expire(now);
    if (link.cookie !== undefined) cookies.add(link.cookie.join());
  }
  assert.deepEqual(events.map((e) => e.type), ["receiver_joined"]);
  assert.ok(cookies.size >= 10, `${cookies.size} cookies in a minute`);
});
