import assert from "node:assert/strict";
import {
  isSealed,
  nonceCounter,
  openDatagram,
  SEAL_OVERHEAD,
  sealDatagram,
} from "../lib/datagram_seal.ts";
import { NonceSequence } from "../lib/nonce_sequence.ts";
import {
  COOKIE_SIZE,
  decodePacket,
  encodeControl,
  PacketType,
  RefusalReason,
  SALT_SIZE,
} from "../lib/packet.ts";
import { MAX_COUNTER_JUMP, REPLAY_WINDOW_SIZE, ReplayWindow } from "../lib/replay_window.ts";
import { StreamSecret } from "../lib/stream_secret.ts";

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

Deno.test("StreamSecret: the two sides of one salt talk; another salt or secret does not", () => {
  const secret = new StreamSecret("correct horse battery staple");
  const salt = StreamSecret.salt();
  assert.equal(salt.length, SALT_SIZE);
  const sender = secret.sender(salt);
  const receiver = secret.receiver(salt);
  const fromReceiver = receiver.seal(plain);
  assert.deepEqual(sender.open(fromReceiver)?.plain, plain);
  const fromSender = sender.seal(plain);
  assert.deepEqual(receiver.open(fromSender)?.plain, plain);
  // Each direction has its own key: a side cannot open what it sent itself.
  assert.equal(sender.open(fromSender), undefined);
  assert.equal(secret.receiver(StreamSecret.salt()).open(fromSender), undefined);
  const wrong = new StreamSecret("correct horse battery stapler");
  assert.equal(wrong.receiver(salt).open(fromSender), undefined);
  const hello = secret.sealHello(plain);
  assert.deepEqual(secret.openHello(hello), plain);
  assert.equal(wrong.openHello(hello), undefined);
  assert.throws(() => new StreamSecret(""), RangeError);
});

Deno.test("A CHALLENGE carries the session salt; REFUSED carries its reason", () => {
  const salt = Uint8Array.from({ length: SALT_SIZE }, (_, i) => 100 + i);
  const bytes = encodeControl({
    type: PacketType.CHALLENGE,
    session: 5,
    receiver: 6,
    echoTime: 1,
    senderTime: 2,
    cookie,
    salt,
  });
  assert.equal(bytes.length, 60);
  const decoded = decodePacket(bytes);
  assert.ok(decoded.ok && decoded.packet.type === PacketType.CHALLENGE);
  assert.deepEqual(decoded.packet.salt, salt);
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
