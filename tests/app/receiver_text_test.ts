import assert from "node:assert/strict";
import { Logger } from "../../lib/cli/logger.ts";
import { logLinkEvent, receiverStoppedText } from "../../lib/app/receiver_text.ts";
import { senderStoppedText } from "../../lib/app/sender_log.ts";

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

Deno.test("the receiver's last line sums up its run: how long, frames shown and lost, packet loss", () => {
  assert.equal(
    receiverStoppedText({
      ranMs: 65_400,
      framesReceived: 1948,
      framesLost: 3,
      lossPercent: 0.24,
      recovered: 40,
    }),
    "udpcam receiver stopped after 1m5s: 1948 frames received, 3 lost; 0.2 % of packets lost, 40 recovered",
  );
});

Deno.test("the sender's last line sums up its run: how long, frames from the source, sent and skipped, resent", () => {
  assert.equal(
    senderStoppedText({
      ranMs: 3_725_000,
      captured: 111_750,
      framesSent: 111_700,
      skipped: 50,
      resentPercent: 1.26,
    }),
    "udpcam sender stopped after 1h2m5s: 111750 frames from the source, 111700 sent, 50 skipped; 1.3 % of bytes resent",
  );
});
