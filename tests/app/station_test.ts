import assert from "node:assert/strict";
import { recordPath, Station } from "../../lib/app/station.ts";
import { Logger } from "../../lib/cli/logger.ts";
import type { ReceivedFrame } from "../../lib/hub/frame.ts";
import { LatestValue } from "../../lib/hub/latest_value.ts";
import { LatencyHistogram } from "../../lib/metrics/latency_histogram.ts";
import { NoSignalRenderer } from "../../lib/preview/no_signal_renderer.ts";
import type { FrameReceiver } from "../../lib/receive/frame_receiver.ts";
import type { LinkState } from "../../lib/receive/link_state.ts";
import type { UdpReceiverStats } from "../../lib/receive/receiver_stats.ts";

Deno.test("recordPath(): a folder gets a file a camera; a file is for one camera, or named for each of several", () => {
  assert.equal(recordPath("recordings", "front", true), "recordings/front.mkv");
  assert.equal(recordPath("recordings/", "front", false), "recordings/front.mkv");
  assert.equal(recordPath("cam.mkv", "front", false), "cam.mkv");
  assert.equal(recordPath("cam.mkv", "front", true), "cam-front.mkv");
  assert.equal(recordPath("/r/cam.MJPEG", "back", true), "/r/cam-back.MJPEG");
});

/** A receiver whose frames the test publishes, and that counts its closing. */
function fakeReceiver(state: LinkState = "live") {
  const frames = new LatestValue<ReceivedFrame>();
  let closed = 0;
  const receiver = {
    frames,
    state,
    stateReason: "frames arriving",
    addr: { transport: "udp", hostname: "127.0.0.1", port: 1 } as Deno.NetAddr,
    latencyHistogram: new LatencyHistogram().snapshot(),
    stats: () =>
      ({ state, framesReceived: frames.latest?.seq ?? 0 }) as unknown as UdpReceiverStats,
    close() {
      closed++;
      frames.close();
      return Promise.resolve();
    },
  } satisfies FrameReceiver;
  return { receiver, closes: () => closed };
}

Deno.test("Station: a camera removed is closed and forgotten, and the grid's stream goes on without it", async () => {
  const renderer = new NoSignalRenderer();
  const logger = new Logger({ format: "json", write: () => {} });
  const station = new Station({ args: {}, renderer, logger, several: true });
  try {
    const fakes = [fakeReceiver(), fakeReceiver()];
    await station.add({ name: "a", source: "127.0.0.1:1", receiver: fakes[0].receiver });
    await station.add({ name: "b", source: "127.0.0.1:2", receiver: fakes[1].receiver });
    assert.deepEqual(station.list.map((camera) => camera.name), ["a", "b"]);
    assert.deepEqual(station.metrics().map((camera) => camera.name), ["a", "b"]);
    await station.remove("a");
    await station.remove("a"); // twice is nothing
    assert.equal(fakes[0].closes(), 1);
    assert.deepEqual(station.list.map((camera) => camera.name), ["b"]);
    assert.equal(station.cameras.get("a"), undefined);
    assert.deepEqual(station.metrics().map((camera) => camera.name), ["b"]);
    // Its name is free again, for a camera that comes back.
    await station.add({ name: "a", source: "127.0.0.1:1", receiver: fakeReceiver().receiver });
    assert.deepEqual(station.cameras.list.map((camera) => camera.name), ["b", "a"]);
  } finally {
    await station.close();
    await renderer.close();
  }
  assert.equal(station.list.length, 0);
  assert.ok(station.cameras.closed);
});

Deno.test("Station: two cameras added at once never share a name; one removed or the station closed while being added is closed", async () => {
  const renderer = new NoSignalRenderer();
  const logger = new Logger({ format: "json", write: () => {} });
  const station = new Station({ args: {}, renderer, logger, several: true });
  try {
    const [first, second] = [fakeReceiver(), fakeReceiver()];
    const adding = [
      station.add({ name: "cam", source: "127.0.0.1:1", receiver: first.receiver }),
      station.add({ name: "cam", source: "127.0.0.1:2", receiver: second.receiver }),
    ];
    assert.ok(station.has("cam"), "taken as soon as it is being added");
    const [one, two] = await Promise.allSettled(adding);
    assert.equal(one.status, "fulfilled");
    assert.equal(two.status, "rejected");
    assert.match(String((two as PromiseRejectedResult).reason), /a camera is named cam already/);
    assert.equal(second.closes(), 1, "the refused camera's receiver is closed");
    assert.equal(first.closes(), 0);
    // Removed before it was in: closed, never shown.
    const late = fakeReceiver();
    const lateAdd = station.add({ name: "late", source: "127.0.0.1:3", receiver: late.receiver });
    await station.remove("late");
    assert.equal(await lateAdd, undefined);
    assert.equal(late.closes(), 1);
    assert.equal(station.cameras.get("late"), undefined);
    // The station closed while one is being added: that one is closed too.
    const last = fakeReceiver();
    const lastAdd = station.add({ name: "last", source: "127.0.0.1:4", receiver: last.receiver });
    await station.close();
    assert.equal(await lastAdd, undefined);
    assert.equal(last.closes(), 1);
    assert.equal(first.closes(), 1);
    // And nothing joins a closed station.
    const after = fakeReceiver();
    assert.equal(
      await station.add({ name: "after", source: "127.0.0.1:5", receiver: after.receiver }),
      undefined,
    );
    assert.equal(after.closes(), 1);
  } finally {
    await station.close();
    await renderer.close();
  }
});

Deno.test("Station --record DIR: a camera whose file is there already (it left and came back) records beside it, never over it", async () => {
  const dir = await Deno.makeTempDir();
  const renderer = new NoSignalRenderer();
  const events: string[] = [];
  const logger = new Logger({ format: "json", write: (line) => events.push(line) });
  const station = new Station({ args: { record: dir }, renderer, logger, several: true });
  try {
    await Deno.writeTextFile(`${dir}/door.mkv`, "an earlier recording");
    const camera = await station.add({
      name: "door",
      source: "127.0.0.1:1",
      receiver: fakeReceiver().receiver,
    });
    assert.ok(camera !== undefined);
    // (Besides the recorder's own hidden working entry.)
    const names = [...Deno.readDirSync(dir)].map((entry) => entry.name)
      .filter((name) => !name.startsWith(".")).sort();
    assert.equal(names.length, 2, names.join(" "));
    assert.match(names[0], /^door-\d{8}-\d{6}\.mkv$/);
    assert.equal(names[1], "door.mkv");
    assert.equal(await Deno.readTextFile(`${dir}/door.mkv`), "an earlier recording");
  } finally {
    await station.close();
    await renderer.close();
    await Deno.remove(dir, { recursive: true });
  }
});
