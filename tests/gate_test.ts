import assert from "node:assert/strict";
import { HelloLimiter } from "../lib/hello_limiter.ts";
import {
  COOKIE_SIZE,
  decodePacket,
  echoOf,
  EMPTY_REPORT,
  encodeControl,
  type Packet,
  PacketType,
  RefusalReason,
} from "../lib/packet.ts";
import { ReceiverGate } from "../lib/receiver_gate.ts";
import { SenderGate } from "../lib/sender_gate.ts";
import { StreamKey } from "../lib/stream_key.ts";
import { StreamSecret } from "../lib/stream_secret.ts";
import { fragmentFrame } from "../lib/fragment_frame.ts";
import { fixedSaltHelloKey, tinyJpeg } from "./_attack.ts";
import { sealDatagram } from "../lib/datagram_seal.ts";

const PHRASE = "the gate tests' secret, long enough";
const KEY = new StreamKey(PHRASE);
const WRONG = new StreamKey("some other secret, also long enough");
const PEER = "192.0.2.1:5000";
const OTHER = "192.0.2.2:5000";
const SESSION = 7;
const cookie = new Uint8Array(COOKIE_SIZE).fill(3);

function hello(receiver = 9, time = 1000): Uint8Array {
  return encodeControl({ type: PacketType.HELLO, session: 0, receiver, time });
}

function keepalive(session = SESSION, receiver = 9): Uint8Array {
  return encodeControl({
    type: PacketType.KEEPALIVE,
    session,
    receiver,
    time: 2000,
    cookie,
    report: EMPTY_REPORT,
  });
}

function data(session = SESSION, frame = 1): Uint8Array {
  return fragmentFrame(tinyJpeg(frame), 3000, { session, frame, mtu: 1172 })[0];
}

function packetOf(bytes: Uint8Array | undefined): Packet {
  assert.ok(bytes !== undefined, "a datagram");
  const decoded = decodePacket(bytes);
  assert.ok(decoded.ok, `decodes: ${JSON.stringify(decoded)}`);
  return decoded.packet;
}

function refusal(reply: Uint8Array | undefined): number {
  const packet = packetOf(reply);
  assert.ok(packet.type === PacketType.REFUSED);
  return packet.reason;
}

/** A keyed sender's gate, its key stretched with a fresh salt. */
async function keyedSender(session = SESSION, key = KEY): Promise<SenderGate> {
  return new SenderGate({ session, secret: await key.stretch(StreamSecret.salt()) });
}

/** What a handshake left behind, to be played back. */
interface Handshake {
  challenge: Uint8Array;
  join: Uint8Array;
  ack: Uint8Array;
}

/**
 * Runs the keyed handshake between `sender` and `receiver` (at `from`), as
 * the registry and the link would: the salt, the hello, the challenge, the
 * join, the ack.
 */
async function handshake(
  sender: SenderGate,
  receiver: ReceiverGate,
  options: { from?: string; key?: StreamKey; id?: number; session?: number } = {},
): Promise<Handshake> {
  const { from = PEER, key = KEY, id = 9, session = SESSION } = options;
  const time = 1000 + Math.random();
  // A salt named already (a restarted sender's, say): the key is stretched with it first.
  const named = receiver.wanted;
  if (named !== undefined) assert.ok(receiver.use(await key.stretch(named)));
  let first = receiver.seal(hello(id, time))!;
  if ((first[3] & 0x80) === 0) {
    // In the clear: the receiver has no key stretched for this run yet.
    const asked = sender.take(first, from, false, 0);
    assert.ok(asked.ok && asked.reply !== undefined, "the sender names its salt");
    const learned = receiver.take(asked.reply);
    assert.ok(learned.ok && learned.packet === undefined, "the gate takes the salt");
    assert.ok(receiver.use(await key.stretch(receiver.wanted!)));
    first = receiver.seal(hello(id, time))!;
  }
  const took = sender.take(first, from, false, 0);
  assert.ok(took.ok && took.packet?.type === PacketType.HELLO, JSON.stringify(took));
  const challenge = sender.seal(
    encodeControl({
      type: PacketType.CHALLENGE,
      session,
      receiver: id,
      echoTime: time,
      senderTime: 2,
      cookie,
    }),
    from,
    took.packet,
  )!;
  const opened = receiver.take(challenge);
  assert.ok(opened.ok && opened.packet?.type === PacketType.CHALLENGE, JSON.stringify(opened));
  const join = receiver.seal(
    encodeControl({ type: PacketType.JOIN, session, receiver: id, time: 3, cookie }),
  )!;
  const joined = sender.take(join, from, false, 0);
  assert.ok(joined.ok && joined.packet?.type === PacketType.JOIN, JSON.stringify(joined));
  const ack = sender.seal(
    encodeControl({ type: PacketType.ACK, session, receiver: id, echoTime: 3, senderTime: 4 }),
    from,
    joined.packet,
  )!;
  const acked = receiver.take(ack);
  assert.ok(acked.ok && acked.packet?.type === PacketType.ACK, JSON.stringify(acked));
  return { challenge, join, ack };
}

Deno.test("SenderGate names its salt to a receiver with the key, and tells each refused hello why", async () => {
  const keyed = await keyedSender();
  const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
  const asking = encodeControl({ type: PacketType.HELLO, session: 0, receiver: 9, time: 1, nonce });
  const asked = keyed.take(asking, PEER, false, 0);
  assert.ok(asked.ok && asked.reply !== undefined, "a hello with a nonce is no rejection");
  const announced = packetOf(asked.reply);
  assert.ok(announced.type === PacketType.REFUSED);
  assert.equal(announced.reason, RefusalReason.KEY_REQUIRED);
  assert.deepEqual(announced.echo, nonce);
  assert.equal(announced.salt?.length, 16);
  assert.ok(asked.reply.length <= 3 * asking.length);

  const plain = keyed.take(hello(), PEER, false, 0);
  assert.ok(!plain.ok && plain.reason === "unsealed", "a receiver without a key");
  assert.equal(refusal(plain.reply), RefusalReason.KEY_REQUIRED);

  const wrongSecret = await WRONG.stretch(announced.salt!);
  const named = hello();
  new DataView(named.buffer).setUint32(4, SESSION);
  const sealedWrong = wrongSecret.sealHello(named);
  const wrong = keyed.take(sealedWrong, PEER, false, 0);
  assert.ok(!wrong.ok && wrong.reason === "wrongKey");
  assert.equal(refusal(wrong.reply), RefusalReason.WRONG_KEY);
  assert.deepEqual(packetOf(wrong.reply), {
    type: PacketType.REFUSED,
    session: SESSION,
    reason: RefusalReason.WRONG_KEY,
    echo: echoOf(sealedWrong),
  });
  // A receiver of an older udpcam names no session: its keys are another's.
  const old = keyed.take(wrongSecret.sealHello(hello()), PEER, false, 0);
  assert.equal(refusal(old.ok ? undefined : old.reply), RefusalReason.WRONG_KEY);
  // Sealed for another run of the sender: say hello again, with this run's salt.
  const another = hello();
  new DataView(another.buffer).setUint32(4, SESSION + 1);
  const stale = keyed.take(wrongSecret.sealHello(another), PEER, false, 0);
  assert.ok(!stale.ok && stale.reason === "stale");
  assert.equal(refusal(stale.reply), RefusalReason.STALE);
  const staleSaid = packetOf(stale.reply);
  assert.ok(staleSaid.type === PacketType.REFUSED);
  assert.deepEqual(staleSaid.salt, announced.salt);

  const open = new SenderGate({ session: SESSION });
  const sealed = open.take(wrongSecret.sealHello(named), PEER, false, 0);
  assert.ok(!sealed.ok && sealed.reason === "sealed");
  assert.equal(refusal(sealed.reply), RefusalReason.NO_KEY);
  assert.ok(open.take(hello(), PEER, false, 0).ok);
});

Deno.test("A hello sealed with the first keyed design's fixed-salt key gets no challenge", async () => {
  const keyed = await keyedSender();
  const named = hello();
  new DataView(named.buffer).setUint32(4, SESSION);
  const precomputed = sealDatagram(named, fixedSaltHelloKey(PHRASE), new Uint8Array(12).fill(1));
  const taken = keyed.take(precomputed, PEER, false, 0);
  assert.ok(!taken.ok && taken.reason === "wrongKey");
});

Deno.test("Each receiver has keys of its own: what is sealed for one opens for no other", async () => {
  const sender = await keyedSender();
  const a = new ReceiverGate(KEY);
  const b = new ReceiverGate(KEY);
  await handshake(sender, a, { from: PEER, id: 1 });
  await handshake(sender, b, { from: OTHER, id: 2 });
  const toA = sender.seal(data(), PEER)!;
  const toB = sender.seal(data(), OTHER)!;
  assert.ok(a.take(toA).ok);
  assert.ok(b.take(toB).ok);
  const crossed = b.take(toA);
  assert.ok(!crossed.ok && crossed.reason === "wrongKey");
  // From the other direction: B's keepalive, sent from A's address.
  const fromB = b.seal(keepalive(SESSION, 2))!;
  const spoofed = sender.take(fromB, PEER, true, 0);
  assert.ok(!spoofed.ok && spoofed.reason === "wrongKey");
  assert.ok(sender.take(a.seal(keepalive(SESSION, 1))!, PEER, true, 0).ok);
  // Nothing is sealed for an address without a join.
  assert.equal(sender.seal(data(), "192.0.2.3:1"), undefined);
});

Deno.test("ReceiverGate takes keys only from a CHALLENGE that answers its own pending hello", async () => {
  // A CHALLENGE from the sender's previous run, recorded on the way.
  const previous = await keyedSender(SESSION - 1);
  const { challenge: old } = await handshake(previous, new ReceiverGate(KEY), {
    session: SESSION - 1,
  });
  const sender = await keyedSender();
  const receiver = new ReceiverGate(KEY);
  const { challenge } = await handshake(sender, receiver);
  const first = sender.seal(data(SESSION, 1), PEER)!;
  assert.ok(receiver.take(first).ok);
  for (const played of [old, challenge]) {
    const taken = receiver.take(played);
    assert.ok(!taken.ok, "taken");
    // Of another run's hello key, or of this run's but answering nothing pending.
    assert.ok(["stale", "wrongKey", "replayed"].includes(taken.reason), taken.reason);
  }
  // The keys and the window are as they were: the stream goes on, and what came stays seen.
  assert.ok(receiver.take(sender.seal(data(SESSION, 2), PEER)!).ok);
  const again = receiver.take(first);
  assert.ok(!again.ok && again.reason === "replayed");
});

Deno.test("ReceiverGate takes a challenge once, and none once another answered its hello", async () => {
  const sender = await keyedSender();
  const receiver = new ReceiverGate(KEY);
  const { challenge } = await handshake(sender, receiver);
  const again = receiver.take(challenge);
  assert.ok(!again.ok && again.reason === "replayed");
  // Two hellos pending; the answer to the first voids the second.
  const h1 = sender.take(receiver.seal(hello(9, 5001))!, PEER, false, 0);
  const h2 = sender.take(receiver.seal(hello(9, 5002))!, PEER, false, 0);
  const answer = (taken: typeof h1, time: number) =>
    sender.seal(
      encodeControl({
        type: PacketType.CHALLENGE,
        session: SESSION,
        receiver: 9,
        echoTime: time,
        senderTime: 1,
        cookie,
      }),
      PEER,
      taken.ok ? taken.packet : undefined,
    )!;
  assert.ok(receiver.take(answer(h1, 5001)).ok);
  const late = receiver.take(answer(h2, 5002));
  assert.ok(!late.ok && late.reason === "replayed");
});

Deno.test("SenderGate takes each JOIN once, even after its receiver left", async () => {
  const sender = await keyedSender();
  const receiver = new ReceiverGate(KEY);
  const { join } = await handshake(sender, receiver);
  const again = sender.take(join, PEER, true, 0);
  assert.ok(!again.ok && again.reason === "replayed");
  sender.left(PEER);
  const after = sender.take(join, PEER, false, 0);
  assert.ok(!after.ok && after.reason === "replayed");
  const other = sender.take(join, OTHER, false, 0);
  assert.ok(!other.ok && other.reason === "replayed", "from another address too");
  // The same receiver joins again with a new hello, and new keys.
  await handshake(sender, receiver);
  assert.ok(receiver.take(sender.seal(data(), PEER)!).ok);
});

Deno.test("SenderGate drops a replayed keepalive, and tells a receiver it has no keys for to say hello", async () => {
  const sender = await keyedSender();
  const receiver = new ReceiverGate(KEY);
  await handshake(sender, receiver);
  const datagram = receiver.seal(keepalive())!;
  assert.ok(sender.take(datagram, PEER, true, 0).ok);
  const again = sender.take(datagram, PEER, true, 0);
  assert.ok(!again.ok && again.reason === "replayed");
  // The sender restarted: a new run, with another salt, has no keys for it.
  const restarted = await keyedSender(SESSION + 1);
  const next = receiver.seal(keepalive())!;
  const stale = restarted.take(next, PEER, false, 0);
  assert.ok(!stale.ok && stale.reason === "stale");
  const said = packetOf(stale.reply);
  assert.ok(said.type === PacketType.REFUSED && said.reason === RefusalReason.STALE);
  assert.deepEqual(said.echo, echoOf(next), "it answers that keepalive");
  const heard = receiver.take(stale.reply!);
  assert.ok(heard.ok && heard.packet?.type === PacketType.REFUSED, "an answer to its keepalive");
  assert.ok(receiver.wanted !== undefined, "a new salt to stretch the key with");
  const replayed = receiver.take(stale.reply!);
  assert.ok(!replayed.ok && replayed.reason === "replayed", "the same answer twice");
  // The receiver follows the new run.
  await handshake(restarted, receiver, { session: SESSION + 1 });
  assert.ok(receiver.take(restarted.seal(data(SESSION + 1), PEER)!).ok);
});

Deno.test("ReceiverGate believes a REFUSED only as an answer to a datagram it sent, once", async () => {
  const sender = await keyedSender();
  const receiver = new ReceiverGate(KEY);
  await handshake(sender, receiver);
  const forged = (reason: 1 | 2 | 3 | 4 | 5, echo?: Uint8Array) =>
    encodeControl({ type: PacketType.REFUSED, session: SESSION, reason, echo });
  for (const reason of [1, 2, 3, 4, 5] as const) {
    const guessed = receiver.take(forged(reason, crypto.getRandomValues(new Uint8Array(12))));
    assert.ok(!guessed.ok && guessed.reason === "replayed" && guessed.doubt === undefined);
  }
  // Without an echo, as an older udpcam sends it: only a sign, to be weighed.
  const bare = receiver.take(forged(RefusalReason.WRONG_KEY));
  assert.ok(!bare.ok && bare.reason === "unsealed" && bare.doubt === RefusalReason.WRONG_KEY);
  const older = receiver.take(forged(RefusalReason.KEY_REQUIRED));
  assert.ok(!older.ok && older.doubt === "oldSender");
  // A full sender's refusal answers a JOIN, sealed: believed once.
  const joinTaken = sender.take(receiver.seal(hello(9, 7000))!, PEER, false, 0);
  assert.ok(joinTaken.ok);
  const challenge = sender.seal(
    encodeControl({
      type: PacketType.CHALLENGE,
      session: SESSION,
      receiver: 9,
      echoTime: 7000,
      senderTime: 1,
      cookie,
    }),
    PEER,
    joinTaken.packet,
  )!;
  assert.ok(receiver.take(challenge).ok);
  const join = sender.take(
    receiver.seal(
      encodeControl({ type: PacketType.JOIN, session: SESSION, receiver: 9, time: 1, cookie }),
    )!,
    PEER,
    false,
    0,
  );
  assert.ok(join.ok && join.packet !== undefined);
  const full = sender.seal(forged(RefusalReason.FULL), PEER, join.packet)!;
  assert.ok(full[3] & 0x80, "sealed");
  const believed = receiver.take(full);
  assert.ok(believed.ok && believed.packet?.type === PacketType.REFUSED);
  const twice = receiver.take(full);
  assert.ok(!twice.ok && twice.reason === "replayed");
  // A handshake datagram that does not open with the key: a sign, no more.
  const wrongSecret = await WRONG.stretch(StreamSecret.salt());
  const unopened = receiver.take(wrongSecret.sealHello(challenge));
  assert.ok(!unopened.ok && unopened.reason === "wrongKey" && unopened.doubt === "wrongKey");
});

Deno.test("ReceiverGate opens the session's datagrams once, and only with its keys", async () => {
  const sender = await keyedSender();
  const receiver = new ReceiverGate(KEY);
  await handshake(sender, receiver);
  const ack = encodeControl({
    type: PacketType.ACK,
    session: SESSION,
    receiver: 9,
    echoTime: 1,
    senderTime: 2,
  });
  const sealed = sender.seal(ack, PEER)!;
  assert.ok(receiver.take(sealed).ok);
  const replay = receiver.take(sealed);
  assert.ok(!replay.ok && replay.reason === "replayed");
  const unsealed = receiver.take(ack);
  assert.ok(!unsealed.ok && unsealed.reason === "unsealed");
  const keyless = new ReceiverGate().take(sealed);
  assert.ok(!keyless.ok && keyless.reason === "sealed");
  // Nothing is sealed for a session before its challenge; a first hello goes in the clear.
  const fresh = new ReceiverGate(KEY);
  assert.equal(fresh.seal(keepalive()), undefined);
  const first = fresh.seal(hello())!;
  assert.equal(first[3], PacketType.HELLO);
  assert.ok(first.subarray(20).some((b) => b !== 0), "with a nonce");
});

Deno.test("SenderGate answers an address not streamed to only within its share", () => {
  const gate = new SenderGate({
    session: SESSION,
    limiter: new HelloLimiter({ perAddressBurst: 2, perAddressRate: 1 }),
  });
  assert.ok(gate.take(hello(), "192.0.2.1:1", false, 0).ok);
  assert.ok(gate.take(hello(), "192.0.2.1:2", false, 0).ok);
  const third = gate.take(hello(), "192.0.2.1:3", false, 0);
  assert.ok(!third.ok && third.reason === "rateLimited" && third.reply === undefined);
  assert.ok(gate.take(hello(), "192.0.2.1:3", true, 0).ok, "a receiver streamed to is not limited");
  assert.ok(gate.take(hello(), "[2001:db8::1]:4", false, 0).ok, "another address");
});
