import assert from "node:assert/strict";
import {
  expandOverlayText,
  MAX_OVERLAY_CHARACTERS,
  type OverlayPart,
  parseOverlayText,
} from "../../lib/overlay/overlay_text.ts";
import { overlayFontSize, overlayMargin, overlayOrigin } from "../../lib/overlay/overlay_layout.ts";

Deno.test("parseOverlayText() splits literal text from placeholders", () => {
  const cases: Array<[string, OverlayPart[]]> = [
    ["cam", [{ text: "cam" }]],
    ["{time}", [{ placeholder: "time" }]],
    ["{host} {date} {time}", [
      { placeholder: "host" },
      { text: " " },
      { placeholder: "date" },
      { text: " " },
      { placeholder: "time" },
    ]],
    ["{fps} fps", [{ placeholder: "fps" }, { text: " fps" }]],
    ["{time}{time}", [{ placeholder: "time" }, { placeholder: "time" }]],
    // Doubled braces are literal braces, merged with the text around them.
    ["{{time}}", [{ text: "{time}" }]],
    ["a{{b}}c {fps}", [{ text: "a{b}c " }, { placeholder: "fps" }]],
    ["}}{{", [{ text: "}{" }]],
    ["{{{time}}}", [{ text: "{" }, { placeholder: "time" }, { text: "}" }]],
    // Characters that mean something to ffmpeg are plain text here.
    ["it's 100% a:b\\c [x],y;", [{ text: "it's 100% a:b\\c [x],y;" }]],
    ["  padded  ", [{ text: "  padded  " }]],
    ["Küche 📷 {time}", [{ text: "Küche 📷 " }, { placeholder: "time" }]],
  ];
  for (const [text, parts] of cases) {
    assert.deepEqual(parseOverlayText(text), parts, JSON.stringify(text));
  }
});

Deno.test("parseOverlayText() rejects unknown placeholders, stray braces and what cannot be drawn", () => {
  const cases: Array<[string, RegExp]> = [
    [
      "{foo}",
      /Unknown placeholder \{foo\}: the placeholders are \{time\}, \{date\}, \{fps\}, \{host\}/,
    ],
    ["{TIME}", /Unknown placeholder \{TIME\}/],
    ["{ time }", /Unknown placeholder \{ time \}/],
    ["{}", /Unknown placeholder \{\}/],
    ["{time", /Unclosed \{/],
    ["a { b", /Unclosed \{/],
    ["time}", /Lone \}/],
    ["{time}}", /Lone \}/],
    ["", /empty/],
    ["   ", /empty/],
    ["two\nlines", /one line of printable characters/],
    ["tab\there", /printable/],
    ["bell\x07", /printable/],
    ["del\x7f", /printable/],
    ["lone \ud800 surrogate", /printable/],
    ["line\u2028separator", /printable/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseOverlayText(text),
      { name: "TypeError", message },
      JSON.stringify(text),
    );
  }
  assert.throws(() => parseOverlayText("x".repeat(MAX_OVERLAY_CHARACTERS + 1)), {
    name: "RangeError",
  });
  assert.equal(parseOverlayText("📷".repeat(MAX_OVERLAY_CHARACTERS)).length, 1);
});

Deno.test("expandOverlayText() fills in local time and date, a whole fps and the host", () => {
  // Local time, built the way a user reads a clock: 2024-03-05 07:08:09.
  const time = new Date(2024, 2, 5, 7, 8, 9, 999).getTime();
  const values = { time, fps: 29.97, host: "porch" };
  const cases: Array<[string, string]> = [
    ["{time}", "07:08:09"],
    ["{date}", "2024-03-05"],
    ["{fps} fps", "30 fps"],
    ["{host}", "porch"],
    ["{host} {date} {time}", "porch 2024-03-05 07:08:09"],
    ["{{time}} is {time}", "{time} is 07:08:09"],
    ["100% {fps}", "100% 30"],
  ];
  for (const [text, expected] of cases) {
    assert.equal(expandOverlayText(parseOverlayText(text), values), expected, text);
  }
  const evening = new Date(2024, 11, 31, 23, 59, 59).getTime();
  assert.equal(
    expandOverlayText(parseOverlayText("{date} {time}"), { time: evening, fps: 7.4, host: "" }),
    "2024-12-31 23:59:59",
  );
  assert.equal(expandOverlayText(parseOverlayText("{fps}"), { time, fps: 7.4, host: "" }), "7");
});

Deno.test("overlayFontSize() and overlayOrigin() size text by the frame height and inset it from a corner", () => {
  assert.equal(overlayFontSize(240), 12);
  assert.equal(overlayFontSize(100), 12);
  assert.equal(overlayFontSize(720), 30);
  assert.equal(overlayFontSize(2160), 90);
  assert.equal(overlayMargin(720), 18);
  assert.equal(overlayMargin(20), 1);
  const frame = { width: 1280, height: 720 };
  const box = { width: 300, height: 40 };
  assert.deepEqual(overlayOrigin("top-left", frame, box), { x: 18, y: 18 });
  assert.deepEqual(overlayOrigin("top-right", frame, box), { x: 1280 - 18 - 300, y: 18 });
  assert.deepEqual(overlayOrigin("bottom-left", frame, box), { x: 18, y: 720 - 18 - 40 });
  assert.deepEqual(overlayOrigin("bottom-right", frame, box), { x: 962, y: 662 });
  // A box wider than the frame keeps its left edge in view.
  assert.deepEqual(overlayOrigin("bottom-right", { width: 200, height: 720 }, box), {
    x: 18,
    y: 662,
  });
});
