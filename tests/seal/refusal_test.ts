/**
 * Refusals forged from the sender's address while the sender is merely
 * silent, against the real tools with a key: they must not make the receiver
 * report a wrong key, nor make it say hello faster than its own pace.
 */
import assert from "node:assert/strict";
import { sealDatagram } from "../../lib/seal/datagram_seal.ts";
import {
  fixedSaltHelloKey,
  KEY,
  pause,
  type RecordedPair,
  startRecordedPair,
  stopRecordedPair,
  typeOf,
} from "../_attack.ts";

const REFUSED = 10;
const WRONG_KEY = 2;
const KEY_REQUIRED = 1;
const NO_KEY = 3;
const STALE = 5;

/** The sender's session, from the header of its latest datagram. */
function sessionOf(pair: RecordedPair): number {
  const last = pair.seen.findLast((s) => s.direction === "down")!;
  return new DataView(last.data.buffer).getUint32(4);
}

/** A REFUSED in the clear, `length` bytes long, the bytes after its reason random. */
function clearRefusal(session: number, reason: number, length: number): Uint8Array {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  bytes.set([0x55, 0x43, 1, REFUSED]);
  new DataView(bytes.buffer).setUint32(4, session);
  bytes[8] = reason;
  bytes.fill(0, 9, 12);
  return bytes;
}

Deno.test("refusals forged during a 1 s silence of the sender do not make a keyed receiver report a wrong key", async () => {
  const pair = await startRecordedPair();
  try {
    await pair.receiver.waitFor("state", (e) => e.to === "live");
    const session = sessionOf(pair);
    pair.relay.blackout = true;
    const mark = pair.receiver.events.length;
    await pause(1100);
    for (let i = 0; i < 5; i++) {
      for (const reason of [WRONG_KEY, KEY_REQUIRED, NO_KEY]) {
        for (const length of [12, 24, 40]) {
          pair.relay.inject("down", clearRefusal(session, reason, length));
        }
      }
      // A CHALLENGE that opens with no key.
      const junk = crypto.getRandomValues(new Uint8Array(116));
      junk.set([0x55, 0x43, 1, 0x82]);
      pair.relay.inject("down", junk);
      await pause(100);
    }
    await pause(100);
    pair.relay.blackout = false;
    await pause(1500);
    const states = pair.receiver.events.slice(mark).filter((e) => e.event === "state");
    const refused = states.filter((e) => e.to === "refused");
    assert.deepEqual(refused, [], "the receiver reported a refusal");
    assert.ok(
      pair.receiver.events.slice(mark).every((e) => e.event !== "state" || e.to !== "waiting"),
      "the receiver never gave its sender up",
    );
  } finally {
    await stopRecordedPair(pair);
  }
});

Deno.test("forged STALE refusals during a silence of the sender do not make a keyed receiver say hello more than once a second", async () => {
  const pair = await startRecordedPair();
  try {
    await pair.receiver.waitFor("state", (e) => e.to === "live");
    const session = sessionOf(pair);
    const oldHelloKey = fixedSaltHelloKey(KEY);
    pair.relay.blackout = true;
    const blackout = performance.now();
    await pause(1100);
    const mark = pair.seen.length;
    // 1.5 s of them, before the receiver's own 3 s of silence runs out.
    while (performance.now() - blackout < 2600) {
      pair.relay.inject("down", clearRefusal(session, STALE, 12));
      pair.relay.inject("down", clearRefusal(session, STALE, 40));
      const nonce = crypto.getRandomValues(new Uint8Array(12));
      pair.relay.inject("down", sealDatagram(clearRefusal(session, STALE, 12), oldHelloKey, nonce));
      await pause(20);
    }
    const window = pair.seen.slice(mark).filter((s) => s.at - blackout < 2800);
    const hellos = window.filter((s) => s.direction === "up" && (typeOf(s.data) & 0x7f) === 1);
    assert.ok(hellos.length <= 2, `${hellos.length} hellos in 1.7 s`);
  } finally {
    await stopRecordedPair(pair);
  }
});
