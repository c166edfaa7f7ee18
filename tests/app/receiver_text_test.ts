import assert from "node:assert/strict";
import { Logger } from "../../lib/cli/logger.ts";
import { logLinkEvent } from "../../lib/app/receiver_text.ts";

Deno.test("the log names the address and the UDP port to check when no answer comes", () => {
  const lines: string[] = [];
  const logger = new Logger({ format: "text", write: (line) => lines.push(line), now: () => 0 });
  logLinkEvent(
    logger,
    { type: "state", from: "connecting", to: "connecting", reason: "noAnswerLong" },
    "192.168.1.20:8080",
  );
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /no answer from udp:\/\/192\.168\.1\.20:8080 for 5 s: is the sender running there, is UDP 8080 allowed through its firewall, and is it on this network\? Still trying/,
  );
});
