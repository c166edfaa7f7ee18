import assert from "node:assert/strict";
import { noSignalText } from "../../lib/preview/no_signal_text.ts";

/** 14:03:07 local time on a winter day, whatever the time zone. */
const LOST_AT = new Date(2024, 0, 15, 14, 3, 7).getTime();
const REASON =
  "the sender needs a key: give this receiver the same --key (or --key-file, UDPCAM_KEY)";

Deno.test("noSignalText() says when the signal was lost, in local time, and how long ago", () => {
  const cases: Array<[number, string]> = [
    [0, "lost at 14:03:07 (0 s ago)"],
    [59_999, "lost at 14:03:07 (59 s ago)"],
    [125_000, "lost at 14:03:07 (2 min 5 s ago)"],
    [3_780_000, "lost at 14:03:07 (1 h 3 min ago)"],
    [-5000, "lost at 14:03:07 (0 s ago)"],
    [36 * 3_600_000, "lost at 2024-01-15 14:03:07 (1 d 12 h ago)"],
  ];
  for (const [ago, detail] of cases) {
    const text = noSignalText({
      lostAt: LOST_AT,
      now: LOST_AT + ago,
      reason: "sender said goodbye",
      sender: "192.0.2.7:5000",
    });
    assert.deepEqual(text, {
      title: "NO SIGNAL",
      detail: [detail],
      note: ["sender said goodbye", "sender 192.0.2.7:5000"],
    });
  }
});

Deno.test("noSignalText() names the sender while waiting and the reason when refused", () => {
  assert.deepEqual(
    noSignalText({
      signal: "waiting",
      reason: "no answer from the sender yet",
      sender: "192.0.2.7:5000",
    }),
    {
      title: "WAITING FOR SENDER",
      detail: ["waiting for the sender at 192.0.2.7:5000"],
      note: ["no answer from the sender yet"],
    },
  );
  assert.deepEqual(
    noSignalText({
      signal: "refused",
      reason: REASON,
      sender: "192.0.2.7:5000",
      lostAt: LOST_AT,
      now: LOST_AT + 4000,
    }),
    {
      title: "REFUSED",
      detail: [REASON],
      note: ["sender 192.0.2.7:5000", "last frame at 14:03:07 (4 s ago)"],
    },
  );
  assert.deepEqual(noSignalText({ signal: "refused" }).detail, [
    "the sender refused this receiver",
  ]);
});
