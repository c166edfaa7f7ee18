import assert from "node:assert/strict";
import { LatestValue } from "../../lib/hub/latest_value.ts";

Deno.test("LatestValue gives a slow consumer the newest value only", async () => {
  const slot = new LatestValue<string>();
  slot.publish("a");
  slot.publish("b");
  slot.publish("c");
  assert.deepEqual(await slot.next(0), { seq: 3, value: "c" });
});

Deno.test("LatestValue wakes a waiting consumer on publish", async () => {
  const slot = new LatestValue<number>();
  const waiting = slot.next(0);
  slot.publish(7);
  assert.deepEqual(await waiting, { seq: 1, value: 7 });
});

Deno.test("LatestValue ends waits on close and on abort", async () => {
  const slot = new LatestValue<number>();
  const controller = new AbortController();
  const aborted = slot.next(0, controller.signal);
  controller.abort();
  assert.equal(await aborted, undefined);
  const closed = slot.next(0);
  slot.close();
  assert.equal(await closed, undefined);
  assert.equal(await slot.next(0), undefined);
});
