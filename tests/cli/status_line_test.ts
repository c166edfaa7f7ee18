import assert from "node:assert/strict";
import { fitStatus, repaintPrefix } from "../../lib/cli/status_line.ts";

const LINE = "udpcam receiver | live | 30.0 fps | 11.2 Mbit/s | 1280x720 | latency 8.9 ms | " +
  "rtt 1.2 ms | loss 0.0 % | recovered 0 | frames lost 0 | viewers 1 | loop lag 4.1 ms";

Deno.test("a status line fits the terminal by whole fields, the first ones kept, never cut in a word", () => {
  const fitted = fitStatus(LINE, 80);
  assert.equal(
    fitted,
    "udpcam receiver | live | 30.0 fps | 11.2 Mbit/s | 1280x720 | latency 8.9 ms",
  );
  assert.ok(fitted.length < 80);
  assert.equal(fitStatus(LINE, 400), LINE);
  for (let width = 20; width < 200; width++) {
    const text = fitStatus(LINE, width);
    assert.ok(text.length < width, `${width}: ${text}`);
    assert.ok(LINE.startsWith(text), `${width}: whole fields from the start`);
    assert.ok(LINE.length === text.length || LINE.slice(text.length).startsWith(" | "));
  }
});

Deno.test("a first field wider than the terminal is shortened with an ellipsis", () => {
  assert.equal(
    fitStatus("refused: the sender streams to its most receivers | 0.0 fps", 20),
    "refused: the sende…",
  );
});

Deno.test("after the terminal narrows, the line drawn before (now wrapped) is erased from its first row", () => {
  // Drawn at 80 columns, 79 characters: at 40 columns it takes 2 rows.
  assert.equal(repaintPrefix(79, 40), "\x1b[1A\r\x1b[J");
  assert.equal(repaintPrefix(79, 20), "\x1b[3A\r\x1b[J");
  // Still one row: back to its start, erase.
  assert.equal(repaintPrefix(79, 80), "\r\x1b[J");
  assert.equal(repaintPrefix(0, 80), "\r\x1b[J");
});
