import assert from "node:assert/strict";
import { labelOf, printableName } from "../../lib/discover/_bonjour.ts";

Deno.test("a sender's name from the network prints with no escape sequence, no bidi override, at most 63 characters", () => {
  assert.equal(
    printableName("porch\x1b[2J\x1b]52;c;aGk=\x07\u202e\r\n1. office"),
    "porch[2J]52;c;aGk=1. office",
  );
  assert.equal(Array.from(printableName("x".repeat(300))).length, 63);
  assert.equal(printableName(""), "(no name)");
  assert.equal(printableName(42), "(no name)");
});

Deno.test("a sender's name is announced as one DNS label: dots as dashes, at most 63 bytes", () => {
  assert.equal(labelOf("cam1.example.com"), "cam1-example-com");
  assert.equal(new TextEncoder().encode(labelOf("é".repeat(64))).length, 62);
  assert.equal(labelOf("porch"), "porch");
});
