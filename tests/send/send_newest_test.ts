import assert from "node:assert/strict";
import type { Frame } from "../../lib/hub/frame.ts";
import { LatestValue } from "../../lib/hub/latest_value.ts";
import { sendNewest } from "../../lib/send/send_newest.ts";

function frame(n: number): Frame {
  return { data: new Uint8Array([n]), captureTime: n };
}

/** A sink whose sends wait until released, as a slow link's do. */
class SlowSink {
  receivers = 1;
  sent: number[] = [];
  #release: (() => void) | undefined;
  send(frame: Frame): Promise<void> {
    this.sent.push(frame.data[0]);
    return new Promise((resolve) => this.#release = resolve);
  }
  release(): void {
    this.#release?.();
    this.#release = undefined;
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("sendNewest: frames that come while one goes out are skipped, the newest sent next", async () => {
  const frames = new LatestValue<Frame>();
  const sink = new SlowSink();
  let skipped = 0;
  const sentAfter: number[] = [];
  const loop = sendNewest(frames, sink, {
    onSkipped: (count) => skipped += count,
    onSent: (f) => sentAfter.push(f.data[0]),
  });
  frames.publish(frame(1));
  await tick();
  for (const n of [2, 3, 4]) frames.publish(frame(n));
  sink.release();
  await tick();
  assert.deepEqual(sink.sent, [1, 4]);
  assert.deepEqual(skipped, 2);
  sink.release();
  frames.close();
  await loop;
  assert.deepEqual(sentAfter, [1, 4]);
});

Deno.test("sendNewest: with no receiver nothing is sent and nothing counted as skipped", async () => {
  const frames = new LatestValue<Frame>();
  const sink = new SlowSink();
  sink.receivers = 0;
  let skipped = 0;
  const loop = sendNewest(frames, sink, { onSkipped: (count) => skipped += count });
  for (const n of [1, 2, 3]) {
    frames.publish(frame(n));
    await tick();
  }
  sink.receivers = 1;
  frames.publish(frame(7));
  await tick();
  assert.deepEqual(sink.sent, [7]);
  assert.deepEqual(skipped, 0);
  sink.release();
  frames.close();
  await loop;
});
