import assert from "node:assert/strict";
import { HelloLimiter } from "../../lib/send/hello_limiter.ts";
import {
  COOKIE_SIZE,
  decodePacket,
  echoOf,
  EMPTY_REPORT,
  encodeControl,
  type Packet,
  PacketType,
  RefusalReason,
} from "../../lib/wire/mod.ts";
import { CookieSigner } from "../../lib/seal/cookie_signer.ts";
import { ReceiverGate } from "../../lib/receive/receiver_gate.ts";
import { ReceiverLink } from "../../lib/receive/receiver_link.ts";
import { ReceiverRegistry, type RegistryEvent } from "../../lib/send/receiver_registry.ts";
import { SenderGate } from "../../lib/send/sender_gate.ts";
import { StreamKey } from "../../lib/seal/stream_key.ts";
import { StreamSecret } from "../../lib/seal/stream_secret.ts";
import { fragmentFrame } from "../../lib/wire/fragment_frame.ts";
import { fixedSaltHelloKey, tinyJpeg } from "../_attack.ts";
import { sealDatagram } from "../../lib/seal/datagram_seal.ts";

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
/** A hello as a receiver with the key seals it for the sender of `session`: with a fresh nonce. */
function keyedHello(secret: StreamSecret, receiver = 9, session = SESSION): Uint8Array {
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  nonce[0] |= 1;
  return secret.sealHello(
    encodeControl({ type: PacketType.HELLO, session, receiver, time: 1000, nonce }),
  );
}

/** A limiter that answers one datagram and no more. */
function once(): HelloLimiter {
  return new HelloLimiter({ globalBurst: 1, globalRate: 1e-9 });
}

/** A datagram of `type` that only a sender sends, from a stranger. */
function sender(type: number): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set([0x55, 0x43, 1, type, 0, 0, 0, 7]);
  return bytes;
}

Deno.test("SenderGate drops what is not a receiver's datagram by header and size: unanswered, uncharged", async () => {
  const stretched = await KEY.stretch(StreamSecret.salt());
  for (const secret of [undefined, stretched]) {
    const gate = new SenderGate({
      session: SESSION,
      secret,
      limiter: once(),
      keyHolderLimiter: once(),
    });
    const sealedStale = stretched.sealHello(keepalive(8));
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
    // Nothing was charged: the one answer each limiter allows is still there.
    const nonce = new Uint8Array(12).fill(1);
    const asking = encodeControl({
      type: PacketType.HELLO,
      session: 0,
      receiver: 9,
      time: 1,
      nonce,
    });
    const label = secret ? "key" : "no key";
    assert.ok(gate.take(asking, PEER, false, 0).ok, `a hello after the junk (${label})`);
    if (secret) assert.ok(gate.take(keyedHello(secret), PEER, false, 0).ok, "a key holder's hello");
  }
});

Deno.test("SenderGate answers hellos that authenticate from a share no one without the key spends, opening each once", async () => {
  const secret = await KEY.stretch(StreamSecret.salt());
  const wrong = await WRONG.stretch(secret.salt);
  let opened = 0;
  const openHello = secret.openHello.bind(secret);
  secret.openHello = (datagram) => {
    opened++;
    return openHello(datagram);
  };
  const gate = new SenderGate({
    session: SESSION,
    secret,
    limiter: once(),
    keyHolderLimiter: once(),
  });
  const first = gate.take(wrong.sealHello(hello()), "198.51.100.1:9", false, 0);
  assert.ok(!first.ok && first.reason === "wrongKey" && first.reply !== undefined);
  assert.equal(opened, 1, "a hello that does not open is tried once");
  for (let i = 2; i < 50; i++) {
    const wrongKey = gate.take(wrong.sealHello(hello()), `198.51.100.${i}:9`, false, 0);
    assert.ok(!wrongKey.ok && wrongKey.reason === "rateLimited" && wrongKey.reply === undefined);
    const plain = gate.take(hello(), `198.51.100.${i}:9`, false, 0);
    assert.ok(!plain.ok && plain.reason === "rateLimited", "a hello in the clear");
  }
  opened = 0;
  const holder = gate.take(keyedHello(secret), PEER, false, 0);
  assert.ok(holder.ok && holder.packet?.type === PacketType.HELLO, "the key holder");
  assert.equal(opened, 1, "the key holder's hello is opened once");
  const second = gate.take(keyedHello(secret), OTHER, false, 0);
  assert.ok(!second.ok && second.reason === "rateLimited", "the key holders' share is its own");
});

Deno.test("SenderGate charges no share for a JOIN of this session, which its cookie must prove", async () => {
  const join = (session: number) =>
    encodeControl({ type: PacketType.JOIN, session, receiver: 9, time: 1, cookie });
  const open = new SenderGate({ session: SESSION, limiter: once() });
  assert.ok(open.take(hello(), PEER, false, 0).ok);
  for (let i = 0; i < 10; i++) assert.ok(open.take(join(SESSION), PEER, false, 0).ok, `JOIN ${i}`);
  const old = open.take(join(SESSION + 1), PEER, false, 0);
  assert.ok(!old.ok && old.reason === "rateLimited", "one of another session gets a challenge");
  const keyed = new SenderGate({
    session: SESSION,
    secret: await KEY.stretch(StreamSecret.salt()),
    limiter: once(),
  });
  const receiver = new ReceiverGate(KEY);
  // Its hello in the clear, asking for the salt, spends the one answer.
  await handshake(keyed, receiver);
  const plain = keyed.take(hello(), OTHER, false, 0);
  assert.ok(!plain.ok && plain.reason === "rateLimited", "the share is spent");
  // It joins again: its hello draws on the key holders' share, its JOIN on none.
  const asked = keyed.take(receiver.seal(hello(9, 8000))!, PEER, false, 0);
  assert.ok(asked.ok && asked.packet?.type === PacketType.HELLO);
  const challenge = keyed.seal(
    encodeControl({
      type: PacketType.CHALLENGE,
      session: SESSION,
      receiver: 9,
      echoTime: 8000,
      senderTime: 1,
      cookie,
    }),
    PEER,
    asked.packet,
  )!;
  assert.ok(receiver.take(challenge).ok);
  const sealedJoin = receiver.seal(join(SESSION))!;
  for (let i = 0; i < 10; i++) {
    assert.ok(keyed.take(sealedJoin, PEER, false, 0).ok, `sealed JOIN ${i}`);
  }
  const clear = keyed.take(join(SESSION), PEER, false, 0);
  assert.ok(!clear.ok && clear.reason === "rateLimited", "in the clear, it would earn a refusal");
});

/** What a minute of a receiver's life through both gates, the registry and the link, showed. */
interface Minute {
  events: RegistryEvent[];
  /** Cookies the link held. */
  cookies: number;
  /** CHALLENGEs the registry made, and those the receiver took. */
  made: number;
  taken: number;
  registry: ReceiverRegistry;
  senderGate: SenderGate;
  link: ReceiverLink;
  receiverGate: ReceiverGate;
  /** Every keepalive the receiver sent, as it went. */
  keepalives: Uint8Array[];
  /** Every CHALLENGE the sender sent, as it went. */
  challenges: Uint8Array[];
  /** The sender's run of the key, if it has one. */
  secret: StreamSecret | undefined;
  /** The states the link went through. */
  states: string[];
}

/** A receiver (at {@linkcode PEER}) and a sender talking for `ms`, every datagram arriving. */
async function converse(keyed: boolean, ms: number): Promise<Minute> {
  const events: RegistryEvent[] = [];
  const secret = keyed ? await KEY.stretch(StreamSecret.salt()) : undefined;
  const senderGate = new SenderGate({ session: SESSION, secret });
  const registry = new ReceiverRegistry({
    session: SESSION,
    signer: new CookieSigner(),
    onEvent: (event) => {
      events.push(event);
      if (event.type === "receiver_left") senderGate.left(event.address);
    },
  });
  const here: Deno.NetAddr = { transport: "udp", hostname: "192.0.2.1", port: 5000 };
  const receiverGate = new ReceiverGate(keyed ? KEY : undefined);
  const states: string[] = [];
  const link = new ReceiverLink({
    receiver: 9,
    onEvent: (event) => {
      if (event.type === "state") states.push(event.to);
    },
  });
  const cookies = new Set<string>();
  const keepalives: Uint8Array[] = [];
  const challenges: Uint8Array[] = [];
  let taken = 0;
  for (let now = 0; now <= ms; now += 50) {
    // The key stretched with the salt the sender named, as the receiver does.
    const wanted = receiverGate.wanted;
    if (wanted !== undefined) assert.ok(receiverGate.use(await KEY.stretch(wanted)));
    let message = link.tick(now);
    while (message !== undefined) {
      const up = receiverGate.seal(message);
      if (up === undefined) break;
      if (message[3] === PacketType.KEEPALIVE) keepalives.push(up);
      const got = senderGate.take(up, PEER, registry.has(PEER), now);
      let down: Uint8Array | undefined = got.reply;
      if (got.ok && got.packet !== undefined) {
        const reply = registry.handle(got.packet, here, now);
        down = reply && senderGate.seal(reply, PEER, got.packet);
      }
      if (down !== undefined && (down[3] & 0x7f) === PacketType.CHALLENGE) challenges.push(down);
      const back = down && receiverGate.take(down);
      if (back?.ok && back.packet?.type === PacketType.CHALLENGE) taken++;
      message = back?.ok && back.packet !== undefined
        ? link.handle(back.packet, now).reply
        : undefined;
    }
    registry.expire(now);
    if (link.cookie !== undefined) cookies.add(link.cookie.join());
  }
  return {
    events,
    cookies: cookies.size,
    made: registry.stats.hellos,
    taken,
    registry,
    senderGate,
    link,
    receiverGate,
    keepalives,
    challenges,
    secret,
    states,
  };
}

Deno.test("A receiver without a key takes a new cookie every 5 s through both gates, and stays joined", async () => {
  const { events, cookies, made, taken, registry, states } = await converse(false, 60_000);
  assert.deepEqual(events.map((e) => e.type), ["receiver_joined"]);
  assert.deepEqual(states, ["stalled"], "joined once, and never waiting for the sender");
  assert.ok(cookies >= 10, `${cookies} cookies in a minute`);
  assert.ok(made >= 11 && taken === made, `${made} challenges made, ${taken} taken`);
  assert.ok(registry.has(PEER));
});

Deno.test("A receiver with the key takes a new cookie every 5 s through both gates, sealed with its join's keys, and stays joined", async () => {
  const minute = await converse(true, 60_000);
  const { events, cookies, made, taken, registry, senderGate, link, receiverGate } = minute;
  assert.deepEqual(events.map((e) => e.type), ["receiver_joined"]);
  assert.deepEqual(minute.states, ["stalled"], "joined once, and never waiting for the sender");
  assert.ok(cookies >= 10, `${cookies} cookies in a minute`);
  assert.ok(made >= 11 && taken === made, `${made} challenges made, ${taken} taken`);
  assert.ok(registry.has(PEER) && link.cookie !== undefined, "still joined after a minute");
  assert.equal(registry.stats.badCookies, 0);
  // The first answers its hello, with the hello key; every later one is
  // sealed with the keys of its join, which no other key holder can open.
  const [hello, ...renewals] = minute.challenges;
  assert.equal(hello.length, 116);
  assert.ok(minute.secret!.openHello(hello) !== undefined);
  assert.equal(renewals.length, made - 1);
  for (const renewal of renewals) {
    assert.equal(renewal.length, 72);
    assert.equal(minute.secret!.openHello(renewal), undefined, "opened with the hello key");
  }
  const again = receiverGate.take(renewals[0]);
  assert.ok(!again.ok && again.reason === "replayed", "a new cookie played back is taken");
  // What stands for the cookie's age: only that receiver's keys make a
  // keepalive that counts, and each counts once.
  const [first, ...rest] = minute.keepalives;
  assert.ok(rest.length >= 200, `${rest.length} keepalives`);
  const replayed = senderGate.take(first, PEER, true, 60_000);
  assert.ok(!replayed.ok && replayed.reason === "replayed", "its first keepalive, a minute on");
  // It leaves; what it sent, played back from its address, brings nothing back.
  const bye = receiverGate.seal(link.bye()!)!;
  const left = senderGate.take(bye, PEER, true, 60_050);
  assert.ok(left.ok && left.packet?.type === PacketType.BYE);
  registry.handle(left.packet, { transport: "udp", hostname: "192.0.2.1", port: 5000 }, 60_050);
  assert.equal(registry.size, 0);
  for (const played of [first, rest.at(-1)!]) {
    const again = senderGate.take(played, PEER, false, 60_100);
    assert.ok(!again.ok && again.reason === "stale", "no keys for it: say hello again");
  }
  assert.equal(senderGate.seal(data(), PEER), undefined, "nothing is sealed for it any more");
  assert.equal(registry.size, 0);
});

Deno.test("SenderGate charges a sealed JOIN shaped as one that echoes a new cookie, from an address not streamed to", async () => {
  const secret = await KEY.stretch(StreamSecret.salt());
  const gate = new SenderGate({ session: SESSION, secret, limiter: once() });
  // 64 bytes, the size of a JOIN sealed with a join's keys: only a receiver streamed to sends one.
  const join = secret.sealHello(
    encodeControl({ type: PacketType.JOIN, session: SESSION, receiver: 9, time: 1, cookie }),
  );
  assert.equal(join.length, 64);
  const first = gate.take(join, OTHER, false, 0);
  assert.ok(!first.ok && first.reason === "stale" && first.reply === undefined, "no keys for it");
  const second = gate.take(join, OTHER, false, 0);
  assert.ok(!second.ok && second.reason === "rateLimited" && second.reply === undefined);
});

Deno.test("A new cookie's JOIN sealed with a join's keys counts only for the receiver that joined with them", async () => {
  const { senderGate, receiverGate, registry, link } = await converse(true, 4_000);
  const here: Deno.NetAddr = { transport: "udp", hostname: "192.0.2.1", port: 5000 };
  // A keepalive at 5.5 s, its cookie 5 s old, earns a new cookie.
  const up = receiverGate.seal(link.tick(5_500)!)!;
  const keepaliveTaken = senderGate.take(up, PEER, true, 5_500);
  assert.ok(keepaliveTaken.ok && keepaliveTaken.packet !== undefined);
  const challenge = registry.handle(keepaliveTaken.packet, here, 5_500)!;
  const down = senderGate.seal(challenge, PEER, keepaliveTaken.packet)!;
  assert.equal(down.length, 72);
  const renewal = receiverGate.take(down);
  assert.ok(renewal.ok && renewal.packet?.type === PacketType.CHALLENGE);
  // The JOIN that echoes it, under another receiver id: refused, and the receiver stays.
  const other = receiverGate.seal(
    encodeControl({
      type: PacketType.JOIN,
      session: SESSION,
      receiver: link.receiver + 1,
      time: 5_500,
      cookie: renewal.packet.cookie,
    }),
  )!;
  assert.equal(other.length, 64, "sealed with the join's keys");
  const refused = senderGate.take(other, PEER, true, 5_500);
  assert.ok(!refused.ok && refused.reason === "malformed");
  // Its own JOIN is taken, and ACKed with the same keys.
  const answer = link.handle(renewal.packet, 5_500).reply!;
  const own = senderGate.take(receiverGate.seal(answer)!, PEER, true, 5_500);
  assert.ok(own.ok && own.packet?.type === PacketType.JOIN);
  const ack = senderGate.seal(registry.handle(own.packet, here, 5_500)!, PEER, own.packet)!;
  const acked = receiverGate.take(ack);
  assert.ok(acked.ok && acked.packet?.type === PacketType.ACK);
  assert.equal(registry.size, 1);
});
