/**
 * A holder of the stream's key attacks another receiver of the same sender.
 * It has joined the sender itself, and the relay shows it every datagram of
 * the other receiver's handshake and stream: it seals what it forges with
 * every key it has, a nonce counter far ahead.
 */
import assert from "node:assert/strict";
import { fragmentFrame } from "../../lib/wire/fragment_frame.ts";
import { decodePacket, encodeControl, encodeNack, PacketType } from "../../lib/wire/mod.ts";
import {
  KEY,
  pause,
  type RecordedPair,
  startRecordedPair,
  stats,
  stopRecordedPair,
  tinyJpeg,
  typeOf,
} from "../_attack.ts";
import { KeyHolder } from "../_key_holder.ts";

const FAR_AHEAD = 2 ** 50;

/** `plain` sealed with every key the attacker has: as the sender to it, as itself, the hello key. */
function sealedEveryWay(attacker: KeyHolder, plain: Uint8Array): Uint8Array[] {
  return [
    attacker.sealAsSender(plain, FAR_AHEAD),
    attacker.sealAsReceiver(plain, FAR_AHEAD),
    attacker.secret.sealHello(plain),
  ];
}

/** The other receiver's id and cookie, from its CHALLENGE: the attacker can open that. */
function victimOf(
  pair: RecordedPair,
  attacker: KeyHolder,
): { receiver: number; cookie: Uint8Array } {
  const challenge = pair.seen.findLast((s) => s.direction === "down" && typeOf(s.data) === 0x82)!;
  const decoded = decodePacket(attacker.secret.openHello(challenge.data)!);
  assert.ok(decoded.ok && decoded.packet.type === PacketType.CHALLENGE);
  return decoded.packet;
}

/** Runs `attack` on a live keyed pair, with a key holder joined to its sender. */
async function withAttacker(
  attack: (pair: RecordedPair, attacker: KeyHolder) => Promise<void>,
): Promise<void> {
  const pair = await startRecordedPair();
  let attacker: KeyHolder | undefined;
  try {
    await pair.receiver.waitFor("state", (e) => e.to === "live");
    attacker = await KeyHolder.join(pair.port, KEY);
    await attacker.streaming();
    await attack(pair, attacker);
  } finally {
    await attacker?.close();
    await stopRecordedPair(pair);
  }
}

Deno.test("a key holder cannot pass a frame off as the sender's to another receiver, even with a counter far ahead", async () => {
  await withAttacker(async (pair, attacker) => {
    await pause(500);
    const jpeg = tinyJpeg(0x5a);
    const [datagram] = fragmentFrame(jpeg, Date.now(), {
      session: attacker.session,
      frame: attacker.latestFrame + 2,
      mtu: 1172,
    });
    for (const forged of sealedEveryWay(attacker, datagram)) pair.relay.inject("down", forged);
    await pause(100);
    const snapshot = new Uint8Array(await (await fetch(`${pair.url}snapshot.jpg`)).arrayBuffer());
    assert.ok(
      snapshot.length !== jpeg.length || snapshot.some((b, i) => b !== jpeg[i]),
      "the receiver shows the forged frame",
    );
    const before = await stats(pair.url);
    await pause(2000);
    const after = await stats(pair.url);
    const fps = (after.framesReceived - before.framesReceived) / 2;
    assert.ok(fps >= 10, `${fps} fps after the forgery (15 sent)`);
    const replayed = after.rejected.replayed - before.rejected.replayed;
    assert.ok(replayed < 20, `${replayed} of the sender's datagrams refused as replays`);
    assert.ok(after.rejected.wrongKey >= 2, "the forgeries did not open");
  });
});

Deno.test("a key holder cannot say goodbye, or ask for resends, as another receiver", async () => {
  await withAttacker(async (pair, attacker) => {
    const { receiver, cookie } = victimOf(pair, attacker);
    const session = attacker.session;
    const bye = encodeControl({ type: PacketType.BYE, session, receiver, cookie });
    const nack = encodeNack({
      session,
      receiver,
      cookie,
      ranges: [{ frame: attacker.latestFrame, index: 0, count: 100 }],
    });
    // From the other receiver's own address, as the relay keeps it.
    for (const plain of [nack, bye]) {
      for (const forged of sealedEveryWay(attacker, plain)) pair.relay.inject("up", forged);
    }
    await pause(1500);
    const left = pair.sender.events.filter((e) =>
      e.event === "receiver_left" && e.receiver === receiver
    );
    assert.deepEqual(left, [], "the sender let the other receiver go");
    assert.equal((await stats(pair.url)).state, "live");
  });
});
