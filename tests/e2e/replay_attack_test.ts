/**
 * Handshake datagrams recorded on the path and played back later, against the
 * real tools with a key: a CHALLENGE from the sender's previous run, a whole
 * recorded handshake and stream, and a JOIN after its receiver left.
 */
import assert from "node:assert/strict";
import {
  pause,
  type RecordedPair,
  startKeyedSender,
  startRecordedPair,
  stats,
  stopRecordedPair,
  typeOf,
} from "../_attack.ts";
import type { ToolProcess } from "../_tool.ts";

const SEALED_CHALLENGE = 0x82;
const SEALED_JOIN = 0x83;
const SEALED_DATA = 0x87;
const SEALED_PARITY = 0x89;

/**
 * Runs the pair's first sender run until the receiver is live, stops it,
 * starts a second run on the same port and waits until the receiver is live
 * again; returns the second run, and the last CHALLENGE of the first.
 */
async function restartedPair(pair: RecordedPair): Promise<[ToolProcess, Uint8Array]> {
  await pair.receiver.waitFor("state", (e) => e.to === "live");
  const old = pair.seen.findLast((s) =>
    s.direction === "down" && typeOf(s.data) === SEALED_CHALLENGE
  );
  assert.ok(old, "the first run's CHALLENGE crossed the relay");
  await pair.sender.stop();
  const mark = pair.receiver.events.length;
  const second = startKeyedSender(pair.port);
  await pair.receiver.waitFor(
    "state",
    (e) => e.to === "live" && pair.receiver.events.indexOf(e) >= mark,
    20_000,
  );
  return [second, old.data];
}

Deno.test("a CHALLENGE of the sender's previous run, injected into a keyed receiver, re-keys nothing", async () => {
  const pair = await startRecordedPair();
  let second: ToolProcess | undefined;
  try {
    let old: Uint8Array;
    [second, old] = await restartedPair(pair);
    await pause(1000);
    const before = await stats(pair.url);
    const from = pair.receiver.events.length;
    const started = performance.now();
    pair.relay.inject("down", old);
    const states: string[] = [];
    for (let i = 0; i < 20; i++) {
      await pause(200);
      states.push((await stats(pair.url)).state);
    }
    const after = await stats(pair.url);
    const seconds = (performance.now() - started) / 1000;
    const fps = (after.framesReceived - before.framesReceived) / seconds;
    const changes = pair.receiver.events.slice(from).filter((e) =>
      ["state", "joined", "sender_restarted", "session_changed"].includes(e.event)
    );
    assert.deepEqual(changes, [], "nothing changed on the receiver");
    assert.ok(states.every((s) => s === "live"), `states: ${states.join(" ")}`);
    assert.ok(fps >= 10, `${fps.toFixed(1)} fps after the old CHALLENGE (15 sent)`);
    const stale = after.rejected.stale - before.rejected.stale;
    assert.ok(stale < 30, `${stale} datagrams of the stream rejected as stale`);
  } finally {
    await second?.stop();
    await stopRecordedPair(pair);
  }
});

Deno.test("cut off from its sender, a keyed receiver shows nothing of a recorded handshake and stream played back", async () => {
  const pair = await startRecordedPair();
  let second: ToolProcess | undefined;
  try {
    let old: Uint8Array;
    [second, old] = await restartedPair(pair);
    const mark = pair.seen.length;
    await pause(3000);
    const recorded = pair.seen.slice(mark).filter((s) => s.direction === "down");
    const current = pair.seen.findLast((s) =>
      s.direction === "down" && typeOf(s.data) === SEALED_CHALLENGE
    );
    assert.ok(current && current.data !== old, "the second run's CHALLENGE crossed the relay");
    const video = recorded.filter((s) => typeOf(s.data) === SEALED_DATA);
    assert.ok(video.length > 30, `${video.length} DATA datagrams recorded`);
    // Handshake datagrams older than 10 s, which the receiver's link no longer heeds.
    await pause(Math.max(0, current.at + 10_500 - performance.now()));

    pair.relay.blackout = true;
    await pause(200);
    const before = await stats(pair.url);
    pair.relay.inject("down", old);
    pair.relay.inject("down", current.data);
    // The recorded stream, at about its own pace.
    for (let i = 0; i < video.length; i += 10) {
      for (const s of video.slice(i, i + 10)) pair.relay.inject("down", s.data);
      await pause(30);
    }
    await pause(500);
    const after = await stats(pair.url);
    const shown = after.framesReceived - before.framesReceived;
    assert.equal(shown, 0, `${shown} recorded frames shown again`);
    assert.ok(after.rejected.replayed > before.rejected.replayed, "the replays were counted");
  } finally {
    await second?.stop();
    await stopRecordedPair(pair);
  }
});

Deno.test("a keyed receiver's JOIN played back after it said goodbye brings no video back", async () => {
  const pair = await startRecordedPair();
  try {
    await pair.receiver.waitFor("state", (e) => e.to === "live");
    const joins = pair.seen.filter((s) => s.direction === "up" && typeOf(s.data) === SEALED_JOIN);
    assert.ok(joins.length > 0, "the receiver's JOIN crossed the relay");
    await pair.receiver.stop();
    await pair.sender.waitFor("receiver_left", (e) => e.reason === "bye", 5000);
    await pause(300);
    const mark = pair.seen.length;
    // From the address the receiver had, as the relay keeps its mapping.
    for (let i = 0; i < 8; i++) {
      for (const join of joins) pair.relay.inject("up", join.data);
      await pause(400);
    }
    await pause(300);
    const video = pair.seen.slice(mark).filter((s) =>
      s.direction === "down" && [SEALED_DATA, SEALED_PARITY].includes(typeOf(s.data))
    );
    assert.equal(video.length, 0, `${video.length} video datagrams sent after the goodbye`);
    assert.equal(
      pair.sender.events.filter((e) => e.event === "receiver_joined").length,
      1,
      "joined once",
    );
  } finally {
    await stopRecordedPair(pair);
  }
});
