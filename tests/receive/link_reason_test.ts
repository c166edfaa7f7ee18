import assert from "node:assert/strict";
import { linkReasonText, REFUSAL_TEXT } from "../../lib/receive/link_reason.ts";
import { RefusalReason } from "../../lib/wire/mod.ts";

Deno.test("linkReasonText() words the link's own causes as the log has always said them", () => {
  assert.equal(linkReasonText("noAnswer"), "no answer from the sender yet");
  assert.equal(linkReasonText("senderSilent"), "sender silent");
  assert.equal(linkReasonText("noFrames"), "no frames");
  assert.equal(linkReasonText("joinedNoFrames"), "joined, no frames yet");
  assert.equal(linkReasonText("senderBye"), "sender said goodbye");
  assert.equal(linkReasonText("framesArriving"), "frames arriving");
});

Deno.test("linkReasonText() words every refusal, the sender's codes and the receiver's own", () => {
  for (const code of Object.values(RefusalReason)) {
    assert.equal(linkReasonText(code), REFUSAL_TEXT[code]);
    assert.ok(REFUSAL_TEXT[code].length > 0);
  }
  assert.match(linkReasonText("wrongKey"), /^wrong key/);
  assert.match(linkReasonText("oldSender"), /older udpcam/);
});
