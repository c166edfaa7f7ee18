import assert from "node:assert/strict";
import { encodeControl, PacketType } from "../../lib/wire/mod.ts";
import { NonceSequence } from "../../lib/seal/nonce_sequence.ts";
import { ReplayWindow } from "../../lib/seal/replay_window.ts";
import { SessionCipher } from "../../lib/seal/session_cipher.ts";
import { type JoinKeys, SessionKeys } from "../../lib/receive/session_keys.ts";

const cookie = new Uint8Array(16).fill(3);

/** A sender's cipher and the receiver's join keys for `session`, from two fresh keys. */
function pair(session: number): { sender: SessionCipher; keys: JoinKeys } {
  const toReceiver = crypto.getRandomValues(new Uint8Array(16));
  const toSender = crypto.getRandomValues(new Uint8Array(16));
  const sender = new SessionCipher({
    sendKey: toReceiver,
    receiveKey: toSender,
    nonces: NonceSequence.random(),
  });
  const cipher = new SessionCipher({
    sendKey: toSender,
    receiveKey: toReceiver,
    nonces: NonceSequence.random(),
  });
  const nonce = new Uint8Array(16).fill(session);
  return { sender, keys: { session, nonce, cipher, window: new ReplayWindow() } };
}

function ack(session: number): Uint8Array {
  return encodeControl({ type: PacketType.ACK, session, receiver: 9, echoTime: 1, senderTime: 2 });
}

Deno.test("SessionKeys.open() opens a session's datagrams with its join's keys, once", () => {
  const one = pair(1);
  const other = pair(1);
  const keys = new SessionKeys();
  const sealed = one.sender.seal(ack(1));
  const cases: Array<{ name: string; datagram: Uint8Array; join?: JoinKeys; result: string }> = [
    { name: "no join yet", datagram: sealed, result: "stale" },
    { name: "the join's keys", datagram: sealed, join: one.keys, result: "ok" },
    { name: "the same again", datagram: sealed, result: "replayed" },
    { name: "another key", datagram: other.sender.seal(ack(1)), result: "wrongKey" },
    { name: "another session", datagram: pair(2).sender.seal(ack(2)), result: "stale" },
    {
      name: "a hello in a session",
      datagram: one.sender.seal(
        encodeControl({ type: PacketType.HELLO, session: 1, receiver: 9, time: 1 }),
      ),
      result: "malformed",
    },
  ];
  for (const { name, datagram, join, result } of cases) {
    if (join !== undefined) keys.join(join);
    const opened = keys.open(datagram);
    assert.equal(opened.ok ? "ok" : opened.reason, result, name);
  }
  // Something opened with the new join's keys: they are the join's now.
  assert.equal(keys.next, undefined);
  assert.ok(keys.seal(ack(1)) !== undefined);
});

Deno.test("SessionKeys keeps the keys that brought a new cookie until told to stop", () => {
  const one = pair(1);
  const keys = new SessionKeys();
  assert.equal(keys.seal(ack(1)), undefined);
  keys.join(one.keys);
  assert.equal(keys.next, one.keys);
  const challenge = encodeControl({
    type: PacketType.CHALLENGE,
    session: 1,
    receiver: 9,
    echoTime: 1,
    senderTime: 2,
    cookie,
  });
  const opened = keys.open(one.sender.seal(challenge));
  assert.ok(opened.ok && opened.packet.type === PacketType.CHALLENGE);
  assert.equal(keys.renewing, one.keys);
  keys.stopRenewing();
  assert.equal(keys.renewing, undefined);
});
