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
import { ReceiverGate } from "../lib/receiver_gate.ts";
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
