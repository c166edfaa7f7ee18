import assert from "node:assert/strict";
import { Pacer } from "../../lib/send/pacer.ts";

Deno.test("Pacer lets a burst through, then holds to the rate", () => {
  // 8 Mbit/s is 1000 bytes per ms; bursts of 10 datagrams of 1000 bytes.
  const pacer = new Pacer({ bitsPerSecond: 8e6, burstBytes: 10_000 });
  let now = 0;
  let sent = 0;
  let maxBackToBack = 0;
  let backToBack = 0;
  while (sent < 1000) {
    const wait = pacer.take(1000, now);
    if (wait > 0) {
      now += wait;
      backToBack = 0;
    }
    backToBack++;
    maxBackToBack = Math.max(maxBackToBack, backToBack);
    sent++;
  }
  assert.ok(maxBackToBack <= 10, `${maxBackToBack} datagrams back to back`);
  // 1,000,000 bytes at 1000 bytes/ms take about 1000 ms, less the first burst.
  assert.ok(now >= 985 && now <= 1000, `took ${now} ms`);
});

Deno.test("Pacer refills while the sender is idle", () => {
  const pacer = new Pacer({ bitsPerSecond: 8e6, burstBytes: 4000 });
  for (let i = 0; i < 4; i++) assert.equal(pacer.take(1000, 0), 0);
  assert.ok(pacer.take(1000, 0) > 0);
  for (let i = 0; i < 4; i++) assert.equal(pacer.take(1000, 100), 0);
});

Deno.test("Pacer refuses a rate or burst that is not positive", () => {
  assert.throws(() => new Pacer({ bitsPerSecond: 0, burstBytes: 1 }), RangeError);
  assert.throws(() => new Pacer({ bitsPerSecond: 1, burstBytes: 0 }), RangeError);
});
