import assert from "node:assert/strict";
import { rehearseLink } from "../../lib/app/rehearse_link.ts";

Deno.test("the rehearsal streams its frames whole over loopback and closes both sockets", async () => {
  // Deno's sanitizers fail this test if a socket or a timer outlives it.
  assert.equal(await rehearseLink({ frames: 4 }), 4);
});

Deno.test("the rehearsal stops at its deadline", async () => {
  const start = performance.now();
  const whole = await rehearseLink({ frames: 10_000, frameBytes: 2000, timeoutMs: 300 });
  assert.ok(whole > 0 && whole < 10_000, `${whole} frames`);
  assert.ok(performance.now() - start < 1000);
});
