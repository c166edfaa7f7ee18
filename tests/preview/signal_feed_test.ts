import assert from "node:assert/strict";
import type { ReceivedFrame } from "../../lib/hub/frame.ts";
import { LatestValue, type Versioned } from "../../lib/hub/latest_value.ts";
import type { RenderNoSignalFrameOptions } from "../../lib/preview/no_signal_frame.ts";
import { SignalFeed, type SignalLinkStatus } from "../../lib/preview/signal_feed.ts";

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0);
const SENDER = "192.0.2.7:5000";
/** How often the fake feed looks at the link, in real ms. */
const CHECK_MS = 20;

function frame(n: number, width = 1280, height = 720): ReceivedFrame {
  return {
    data: Uint8Array.of(0xff, 0xd8, n, 0xff, 0xd9),
    captureTime: T0 + n,
    localCaptureTime: T0 + n,
    receivedAt: T0 + 100 * n,
    width,
    height,
    frame: n,
  };
}

/** A feed on a fake clock and link, whose drawings are the JSON of what they were asked. */
function setup(state: SignalLinkStatus["state"], stateReason = "") {
  const frames = new LatestValue<ReceivedFrame>();
  const world = { now: T0, link: { state, stateReason, sender: SENDER } as SignalLinkStatus };
  const drawn: RenderNoSignalFrameOptions[] = [];
  const feed = new SignalFeed({
    frames,
    link: () => world.link,
    now: () => world.now,
    render: (options) => {
      drawn.push(options);
      return Promise.resolve(new TextEncoder().encode(JSON.stringify(options)));
    },
    checkMs: CHECK_MS,
    graceMs: 0,
  });
  return { frames, world, drawn, feed };
}

/** The first display value after `after`, or undefined if none comes within `ms` real ms. */
async function nextWithin(
  feed: SignalFeed,
  after: number,
  ms = 1000,
): Promise<Versioned<ReceivedFrame> | undefined> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    return await feed.display.next(after, abort.signal);
  } finally {
    clearTimeout(timer);
  }
}

/** What a drawn frame was asked to show. */
function drawing(value: ReceivedFrame): RenderNoSignalFrameOptions {
  return JSON.parse(new TextDecoder().decode(value.data));
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("SignalFeed passes real frames through unchanged and in order", async () => {
  const { frames, feed, drawn } = setup("live", "frames arriving");
  try {
    const sent = [1, 2, 3, 4, 5].map((n) => frame(n));
    const seen: ReceivedFrame[] = [];
    let seq = 0;
    for (const f of sent) {
      frames.publish(f);
      const next = await nextWithin(feed, seq);
      assert.ok(next !== undefined, `frame ${f.frame} did not come through`);
      seq = next.seq;
      seen.push(next.value);
    }
    assert.equal(seen.length, sent.length);
    for (let i = 0; i < sent.length; i++) assert.equal(seen[i], sent[i], "the same object");
    await wait(3 * CHECK_MS);
    assert.equal(drawn.length, 0, "nothing drawn while live");
    assert.deepEqual(feed.stats, { framesPassed: 5, framesDrawn: 0, framesDiscarded: 0 });
  } finally {
    await feed.close();
  }
});

Deno.test("SignalFeed shows the waiting placeholder at once before any frame, with no grace", async () => {
  const { feed } = setup("connecting", "no answer from the sender yet");
  try {
    const first = feed.display.latest ?? await nextWithin(feed, 0, CHECK_MS / 2);
    assert.ok(first !== undefined, "no placeholder before the first check");
    assert.equal(first.value.signal, "waiting");
    assert.deepEqual([first.value.width, first.value.height], [640, 360]);
    assert.deepEqual(drawing(first.value), {
      signal: "waiting",
      width: 640,
      height: 360,
      now: T0,
      reason: "no answer from the sender yet",
      sender: SENDER,
    });
  } finally {
    await feed.close();
  }
});

Deno.test("SignalFeed publishes a no-signal frame within one check of the link going from live to waiting", async () => {
  const { frames, world, feed } = setup("live", "frames arriving");
  try {
    frames.publish(frame(7));
    const real = await nextWithin(feed, 0);
    assert.equal(real?.value.frame, 7);
    world.now = T0 + 5000;
    world.link = { state: "waiting", stateReason: "sender said goodbye", sender: SENDER };
    const changedAt = performance.now();
    const lost = await nextWithin(feed, real!.seq);
    const took = performance.now() - changedAt;
    assert.ok(lost !== undefined, "no frame after the link went down");
    assert.ok(took < CHECK_MS + 200, `took ${took.toFixed(0)} ms with checks every ${CHECK_MS} ms`);
    assert.equal(lost.value.signal, "lost");
    assert.deepEqual(
      [lost.value.width, lost.value.height, lost.value.frame],
      [1280, 720, 7],
      "the last frame's size and number",
    );
    assert.equal(lost.value.receivedAt, T0 + 5000);
    assert.deepEqual(drawing(lost.value), {
      signal: "lost",
      width: 1280,
      height: 720,
      lostAt: frame(7).receivedAt,
      now: T0 + 5000,
      reason: "sender said goodbye",
      sender: SENDER,
    });
  } finally {
    await feed.close();
  }
});

Deno.test("SignalFeed draws the no-signal frame again each second, and at once when the reason changes", async () => {
  const { frames, world, feed, drawn } = setup("live", "frames arriving");
  try {
    frames.publish(frame(1));
    await nextWithin(feed, 0);
    world.link = { state: "stalled", stateReason: "no frames", sender: SENDER };
    const first = await nextWithin(feed, 1);
    assert.equal(first?.value.signal, "lost");
    world.now = T0 + 999;
    assert.equal(await nextWithin(feed, first!.seq, 5 * CHECK_MS), undefined, "drawn too soon");
    world.now = T0 + 1000;
    const second = await nextWithin(feed, first!.seq);
    assert.equal(drawing(second!.value).now, T0 + 1000);
    world.now = T0 + 2050;
    const third = await nextWithin(feed, second!.seq);
    assert.equal(drawing(third!.value).now, T0 + 2050);
    world.now = T0 + 2100;
    world.link = { state: "waiting", stateReason: "sender silent", sender: SENDER };
    const fourth = await nextWithin(feed, third!.seq);
    assert.equal(drawing(fourth!.value).reason, "sender silent");
    assert.deepEqual(drawn.map((d) => d.now), [T0, T0 + 1000, T0 + 2050, T0 + 2100]);
  } finally {
    await feed.close();
  }
});

Deno.test("SignalFeed stops drawing once the link is live again", async () => {
  const { frames, world, feed, drawn } = setup("waiting", "sender silent");
  try {
    const placeholder = await nextWithin(feed, 0);
    assert.equal(placeholder?.value.signal, "waiting");
    world.link = { state: "live", stateReason: "frames arriving", sender: SENDER };
    const sent = frame(2);
    frames.publish(sent);
    const real = await nextWithin(feed, placeholder!.seq);
    assert.equal(real?.value, sent);
    const count = drawn.length;
    world.now = T0 + 10_000;
    await wait(5 * CHECK_MS);
    assert.equal(drawn.length, count, "drew while live");
    assert.equal(feed.display.latest?.seq, real!.seq, "something replaced the real frame");
  } finally {
    await feed.close();
  }
});

Deno.test("SignalFeed says refused, with the reason, even after frames came", async () => {
  const { frames, world, feed } = setup("live", "frames arriving");
  try {
    frames.publish(frame(3));
    await nextWithin(feed, 0);
    world.link = { state: "refused", stateReason: "wrong key", sender: SENDER };
    const refused = await nextWithin(feed, 1);
    assert.equal(refused?.value.signal, "refused");
    assert.equal(drawing(refused!.value).reason, "wrong key");
    assert.equal(drawing(refused!.value).lostAt, frame(3).receivedAt);
  } finally {
    await feed.close();
  }
});

Deno.test("SignalFeed draws at most 1920x1080 for a larger frame", async () => {
  const { frames, world, feed } = setup("live", "frames arriving");
  try {
    frames.publish(frame(1, 3840, 2160));
    await nextWithin(feed, 0);
    world.link = { state: "stalled", stateReason: "no frames", sender: SENDER };
    const lost = await nextWithin(feed, 1);
    assert.deepEqual([lost?.value.width, lost?.value.height], [1920, 1080]);
    assert.deepEqual([drawing(lost!.value).width, drawing(lost!.value).height], [1920, 1080]);
  } finally {
    await feed.close();
  }
});

Deno.test("SignalFeed drops a no-signal frame when a real one came while it was drawn", async () => {
  const frames = new LatestValue<ReceivedFrame>();
  let link: SignalLinkStatus = { state: "connecting", stateReason: "no answer" };
  let finish: (bytes: Uint8Array<ArrayBuffer>) => void = () => {};
  let started: () => void = () => {};
  const drawingStarted = new Promise<void>((resolve) => started = resolve);
  const feed = new SignalFeed({
    frames,
    link: () => link,
    render: () => {
      started();
      return new Promise((resolve) => finish = resolve);
    },
    checkMs: CHECK_MS,
    graceMs: 0,
  });
  try {
    await drawingStarted;
    link = { state: "live", stateReason: "frames arriving" };
    const sent = frame(1);
    frames.publish(sent);
    const real = await nextWithin(feed, 0);
    assert.equal(real?.value, sent);
    finish(Uint8Array.of(1, 2, 3));
    await wait(3 * CHECK_MS);
    assert.equal(feed.display.latest?.seq, real!.seq, "the drawing replaced the real frame");
    assert.equal(feed.stats.framesDrawn, 0);
  } finally {
    await feed.close();
  }
});

Deno.test("SignalFeed reports a drawing error once and keeps trying", async () => {
  const frames = new LatestValue<ReceivedFrame>();
  const errors: unknown[] = [];
  let now = T0;
  let fail = true;
  const feed = new SignalFeed({
    frames,
    link: () => ({ state: "connecting", stateReason: "no answer" }),
    now: () => now,
    render: () => fail ? Promise.reject(new Error("no font")) : Promise.resolve(Uint8Array.of(1)),
    onError: (error) => errors.push(error),
    checkMs: CHECK_MS,
    graceMs: 0,
  });
  try {
    for (let i = 1; i <= 3; i++) {
      now = T0 + i * 1000;
      await wait(3 * CHECK_MS);
    }
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as Error).message, "no font");
    assert.equal(feed.display.latest, undefined);
    fail = false;
    now = T0 + 4000;
    const drawn = await nextWithin(feed, 0);
    assert.equal(drawn?.value.signal, "waiting");
  } finally {
    await feed.close();
  }
});

Deno.test("SignalFeed.close() stops its timer and ends every wait on the display", async () => {
  const { world, feed, drawn } = setup("waiting", "sender silent");
  await nextWithin(feed, 0);
  const waiting = feed.display.next(feed.display.latest!.seq);
  await feed.close();
  assert.equal(await waiting, undefined);
  assert.equal(feed.display.closed, true);
  const count = drawn.length;
  world.now = T0 + 10_000;
  await wait(3 * CHECK_MS);
  assert.equal(drawn.length, count, "drew after close");
  await feed.close();
});

Deno.test("SignalFeed closes itself when the real frames close", async () => {
  const { frames, feed } = setup("live", "frames arriving");
  const waiting = feed.display.next(0);
  frames.close();
  assert.equal(await waiting, undefined);
  assert.equal(feed.display.closed, true);
  // Sanitizers check that no timer is left.
  await feed.close();
});

Deno.test("SignalFeed draws the waiting placeholder only after its grace, and never if a frame comes first", async () => {
  for (const frameFirst of [false, true]) {
    const frames = new LatestValue<ReceivedFrame>();
    let now = T0;
    let link: SignalLinkStatus = { state: "connecting", stateReason: "no answer" };
    const drawn: number[] = [];
    const feed = new SignalFeed({
      frames,
      link: () => link,
      now: () => now,
      render: () => {
        drawn.push(now);
        return Promise.resolve(Uint8Array.of(1));
      },
      checkMs: CHECK_MS,
      graceMs: 1000,
    });
    try {
      now = T0 + 999;
      await wait(3 * CHECK_MS);
      assert.deepEqual(drawn, [], "drawn within the grace");
      if (frameFirst) {
        link = { state: "live", stateReason: "frames arriving" };
        frames.publish(frame(1));
      }
      now = T0 + 1000;
      await wait(3 * CHECK_MS);
      assert.deepEqual(drawn, frameFirst ? [] : [T0 + 1000]);
    } finally {
      await feed.close();
    }
  }
});
