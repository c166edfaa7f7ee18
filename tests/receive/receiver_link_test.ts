import assert from "node:assert/strict";
import { ReceiverLink } from "../../lib/receive/receiver_link.ts";
import type { LinkEvent } from "../../lib/receive/link_state.ts";
import { linkReasonText } from "../../lib/receive/link_reason.ts";

Deno.test("a receiver with no answer for 5 s says what to check, once, and keeps saying hello", () => {
  const events: LinkEvent[] = [];
  const link = new ReceiverLink({ onEvent: (event) => events.push(event) });
  let hellos = 0;
  for (let now = 1000; now < 1000 + 4_950; now += 50) if (link.tick(now)) hellos++;
  assert.equal(link.reason, "noAnswer");
  assert.deepEqual(events, []);
  for (let now = 6000; now < 20_000; now += 50) if (link.tick(now)) hellos++;
  assert.equal(link.state, "connecting");
  assert.equal(link.reason, "noAnswerLong");
  assert.deepEqual(events, [{
    type: "state",
    from: "connecting",
    to: "connecting",
    reason: "noAnswerLong",
  }]);
  assert.match(linkReasonText("noAnswerLong"), /firewall/);
  assert.ok(hellos > 100, `hellos: ${hellos}`);
});
