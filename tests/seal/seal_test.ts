import assert from "node:assert/strict";
import {
  isSealed,
  nonceCounter,
  openDatagram,
  SEAL_OVERHEAD,
  sealDatagram,
} from "../../lib/seal/datagram_seal.ts";
import { NonceSequence } from "../../lib/seal/nonce_sequence.ts";
import {
  COOKIE_SIZE,
  decodePacket,
  echoOf,
  encodeControl,
  type Join,
  PacketType,
  RefusalReason,
  SALT_SIZE,
  SHARE_SIZE,
} from "../../lib/wire/mod.ts";
import { KeyShare } from "../../lib/seal/key_share.ts";
import {
  MAX_COUNTER_JUMP,
  REPLAY_WINDOW_SIZE,
  ReplayWindow,
} from "../../lib/seal/replay_window.ts";
import { MAX_STRETCHES, StreamKey, stretchesNow } from "../../lib/seal/stream_key.ts";
import { type JoinKeyInput, StreamSecret } from "../../lib/seal/stream_secret.ts";

const key = Uint8Array.from({ length: 16 }, (_, i) => i);
const cookie = new Uint8Array(COOKIE_SIZE).fill(7);
const plain = encodeControl({
  type: PacketType.JOIN,
  session: 0x01020304,
  receiver: 42,
  time: 1_700_000_000_000,
  cookie,
});

Deno.test("sealDatagram() keeps the header readable, marks it sealed and hides the body", () => {
  const nonce = new NonceSequence(new Uint8Array([9, 9, 9, 9]), 2 ** 32 + 5).next();
  const sealed = sealDatagram(plain, key, nonce);
  assert.equal(sealed.length, plain.length + SEAL_OVERHEAD);
  assert.deepEqual(sealed.subarray(0, 3), plain.subarray(0, 3));
  assert.equal(sealed[3], PacketType.JOIN | 0x80);
  assert.deepEqual(sealed.subarray(4, 8), plain.subarray(4, 8));
  assert.ok(isSealed(sealed));
  assert.ok(!isSealed(plain));
  assert.equal(nonceCounter(sealed), 2 ** 32 + 5);
  // The cookie is not in the clear.
  const body = sealed.subarray(20);
  assert.ok(!body.some((_, i) => cookie.every((b, j) => body[i + j] === b)));
  // A plain decoder does not take it for a JOIN.
  assert.deepEqual(decodePacket(sealed), { ok: false, reason: "type" });
});

Deno.test("openDatagram() gives back the datagram and its counter", () => {
  const sealed = sealDatagram(plain, key, new NonceSequence(undefined, 77).next());
  const opened = openDatagram(sealed, key);
  assert.ok(opened);
  assert.deepEqual(opened.plain, plain);
  assert.equal(opened.counter, 77);
});

Deno.test("openDatagram() refuses a datagram changed in any byte, a wrong key and short input", () => {
  const sealed = sealDatagram(plain, key, new NonceSequence().next());
  for (let i = 0; i < sealed.length; i++) {
    const changed = sealed.slice();
    changed[i] ^= i === 3 ? 0x01 : 0x40;
    assert.equal(openDatagram(changed, key), undefined, `byte ${i} changed`);
  }
  const otherKey = key.map((b) => b ^ 1);
  assert.equal(openDatagram(sealed, otherKey), undefined);
  for (let length = 0; length < sealed.length; length++) {
    assert.equal(openDatagram(sealed.subarray(0, length), key), undefined, `length ${length}`);
  }
});

Deno.test("NonceSequence never repeats, carries into the high word, and starts random", () => {
  const sequence = new NonceSequence(new Uint8Array(4), 2 ** 32 - 1);
  const a = sequence.next();
  const b = sequence.next();
  assert.deepEqual([...a.subarray(4)], [0, 0, 0, 0, 255, 255, 255, 255]);
  assert.deepEqual([...b.subarray(4)], [0, 0, 0, 1, 0, 0, 0, 0]);
  const starts = new Set(
    Array.from({ length: 100 }, () => NonceSequence.random().next().join(",")),
  );
  assert.equal(starts.size, 100);
});

Deno.test("ReplayWindow accepts each counter once, reordered within the window", () => {
  const window = new ReplayWindow();
  assert.ok(window.accept(10));
  assert.ok(!window.accept(10));
  assert.ok(window.accept(8));
  assert.ok(!window.accept(8));
  assert.ok(window.accept(9));
  assert.ok(window.accept(11));
  assert.ok(window.accept(5000));
  // 10 is now outside the window: too old, even though never seen twice.
  assert.ok(!window.accept(7));
  assert.ok(window.accept(5000 - REPLAY_WINDOW_SIZE + 1));
  assert.ok(!window.accept(5000 - REPLAY_WINDOW_SIZE));
  assert.ok(!window.accept(-1));
  assert.ok(!window.accept(1.5));
});

Deno.test("ReplayWindow forgets nothing in the window as it slides", () => {
  const window = new ReplayWindow();
  const seen: number[] = [];
  for (let counter = 0; counter < 20_000; counter += 3) {
    assert.ok(window.accept(counter));
    seen.push(counter);
    // Every counter still inside the window is refused again.
    for (const old of seen.slice(-50)) assert.ok(!window.accept(old), `replay of ${old}`);
  }
  // Counters skipped, and still inside the window, are accepted late.
  assert.ok(window.accept(20_000 - 4));
});

/** The keys of one join as both sides make them, from a fresh pair of key shares. */
function joinInput(): JoinKeyInput {
  const receiver = new KeyShare();
  const sender = new KeyShare();
  const agreed = receiver.agree(sender.share)!;
  assert.deepEqual(sender.agree(receiver.share), agreed, "both shares agree on one secret");
  return {
    agreed,
    nonce: crypto.getRandomValues(new Uint8Array(12)),
    receiverShare: receiver.share,
    senderShare: sender.share,
  };
}

Deno.test("StreamSecret: the two sides of one join talk; another join, salt or key does not", async () => {
  const key = new StreamKey("correct horse battery staple");
  const salt = StreamSecret.salt();
  assert.equal(salt.length, SALT_SIZE);
  const secret = await key.stretch(salt);
  assert.deepEqual(secret.salt, salt);
  const input = joinInput();
  const sender = secret.senderJoin(input, new NonceSequence());
  const receiver = secret.receiverJoin(input, NonceSequence.random());
  const fromReceiver = receiver.seal(plain);
  assert.deepEqual(sender.open(fromReceiver)?.plain, plain);
  const fromSender = sender.seal(plain);
  assert.deepEqual(receiver.open(fromSender)?.plain, plain);
  // Each direction has its own key: a side cannot open what it sent itself.
  assert.equal(sender.open(fromSender), undefined);
  // Another join of the same run, another salt, another key: nothing opens.
  assert.equal(
    secret.receiverJoin(joinInput(), NonceSequence.random()).open(fromSender),
    undefined,
  );
  const otherRun = await key.stretch(StreamSecret.salt());
  assert.equal(otherRun.receiverJoin(input, NonceSequence.random()).open(fromSender), undefined);
  const wrong = await new StreamKey("correct horse battery stapler").stretch(salt);
  assert.equal(wrong.receiverJoin(input, NonceSequence.random()).open(fromSender), undefined);
  // The same join with another hello nonce has other keys.
  const renonced = { ...input, nonce: crypto.getRandomValues(new Uint8Array(12)) };
  assert.equal(secret.receiverJoin(renonced, NonceSequence.random()).open(fromSender), undefined);
  const hello = secret.sealHello(plain);
  assert.deepEqual(secret.openHello(hello), plain);
  assert.equal(wrong.openHello(hello), undefined);
  assert.equal(otherRun.openHello(hello), undefined, "the hello key is the run's");
  assert.throws(() => new StreamKey(""), RangeError);
});

Deno.test("KeyShare refuses a share that is no key or agrees on nothing", () => {
  const share = new KeyShare();
  assert.equal(share.agree(new Uint8Array(32)), undefined, "all zeros");
  const one = new Uint8Array(32);
  one[0] = 1;
  assert.equal(share.agree(one), undefined, "a point of small order");
  assert.equal(share.agree(new Uint8Array(31)), undefined, "short");
});

Deno.test("A keyed CHALLENGE and JOIN carry the key tail; REFUSED its reason, echo and salt", () => {
  const nonce = Uint8Array.from({ length: 12 }, (_, i) => 1 + i);
  const share = Uint8Array.from({ length: SHARE_SIZE }, (_, i) => 100 + i);
  const challenge = encodeControl({
    type: PacketType.CHALLENGE,
    session: 5,
    receiver: 6,
    echoTime: 1,
    senderTime: 2,
    cookie,
    nonce,
    share,
  });
  assert.equal(challenge.length, 88);
  assert.deepEqual(challenge.subarray(44, 56), nonce);
  assert.deepEqual(challenge.subarray(56, 88), share);
  const decoded = decodePacket(challenge);
  assert.ok(decoded.ok && decoded.packet.type === PacketType.CHALLENGE);
  assert.deepEqual([decoded.packet.nonce, decoded.packet.share], [nonce, share]);
  const join = encodeControl({ ...(decodePacket(plain) as { packet: Join }).packet, nonce, share });
  assert.equal(join.length, 80);
  assert.deepEqual(join.subarray(36, 48), nonce);
  const hello = encodeControl({ type: PacketType.HELLO, session: 0, receiver: 1, time: 2, nonce });
  assert.equal(hello.length, 32);
  assert.deepEqual(hello.subarray(20), nonce);
  const half = { ...decoded.packet, share: undefined };
  assert.throws(() => encodeControl(half), RangeError);

  const refused = encodeControl({
    type: PacketType.REFUSED,
    session: 5,
    reason: RefusalReason.WRONG_KEY,
  });
  assert.deepEqual([...refused], [0x55, 0x43, 1, 10, 0, 0, 0, 5, 2, 0, 0, 0]);
  assert.deepEqual(decodePacket(refused), {
    ok: true,
    packet: { type: PacketType.REFUSED, session: 5, reason: RefusalReason.WRONG_KEY },
  });
  const salt = new Uint8Array(SALT_SIZE).fill(9);
  const announced = encodeControl({
    type: PacketType.REFUSED,
    session: 5,
    reason: RefusalReason.KEY_REQUIRED,
    echo: nonce,
    salt,
  });
  assert.equal(announced.length, 40);
  assert.deepEqual(decodePacket(announced), {
    ok: true,
    packet: { type: PacketType.REFUSED, session: 5, reason: 1, echo: nonce, salt },
  });
  assert.deepEqual(echoOf(hello), nonce, "a clear HELLO's echo is its nonce");
  const sealed = sealDatagram(hello, key, new NonceSequence(undefined, 77).next());
  assert.deepEqual(echoOf(sealed), sealed.subarray(8, 20), "a sealed datagram's, its nonce");
  assert.throws(() => encodeControl({ type: PacketType.REFUSED, session: 5, reason: 1, salt }));
  refused[8] = 0;
  assert.deepEqual(decodePacket(refused), { ok: false, reason: "malformed" });
  refused[8] = 6;
  assert.deepEqual(decodePacket(refused), { ok: false, reason: "malformed" });
});

Deno.test("ReplayWindow refuses a counter far ahead, and keeps its place", () => {
  const window = new ReplayWindow();
  assert.ok(window.accept(10));
  assert.ok(!window.accept(10 + 2 ** 50), "a jump of 2^50 is accepted");
  assert.ok(!window.accept(10 + MAX_COUNTER_JUMP + 1), "just beyond the bound");
  assert.ok(window.accept(11), "the stream goes on");
  assert.ok(!window.accept(10), "and what came stays seen");
  assert.ok(window.accept(11 + MAX_COUNTER_JUMP), "a jump within the bound");
  // A first counter may be anything: each side starts at random.
  assert.ok(new ReplayWindow().accept(2 ** 47 + 5));
});

Deno.test("at most two stretches run at once, however many are asked for, and each gives its own key", async () => {
  const key = new StreamKey("correct horse battery staple");
  const salts = Array.from({ length: 6 }, () => StreamSecret.salt());
  let most = 0;
  const watch = setInterval(() => {
    most = Math.max(most, stretchesNow().running);
  }, 1);
  try {
    const secrets = await Promise.all(salts.map((salt) => key.stretch(salt)));
    assert.equal(most, 2);
    assert.equal(MAX_STRETCHES, 2);
    assert.deepEqual(stretchesNow(), { running: 0, waiting: 0 });
    // Each the same as stretched alone.
    const alone = await key.stretch(salts[5]);
    const input = joinInput();
    const sender = alone.senderJoin(input, new NonceSequence());
    const receiver = secrets[5].receiverJoin(input, NonceSequence.random());
    assert.deepEqual(receiver.open(sender.seal(plain))?.plain, plain);
  } finally {
    clearInterval(watch);
  }
});
