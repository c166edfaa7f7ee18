import assert from "node:assert/strict";
import { Logger } from "../../lib/cli/logger.ts";

const AT = new Date(2026, 11, 6, 14, 3, 7).getTime();

Deno.test("a text log line begins with the local time, to the second", () => {
  const lines: string[] = [];
  const logger = new Logger({ format: "text", write: (line) => lines.push(line), now: () => AT });
  logger.event("joined", "joined sender 10.0.0.2:8080");
  logger.warn("no key");
  assert.deepEqual(lines, ["14:03:07 joined sender 10.0.0.2:8080", "14:03:07 warning: no key"]);
});

Deno.test("a JSON log line carries the time as ISO 8601, the event and its fields", () => {
  const lines: string[] = [];
  const logger = new Logger({ format: "json", write: (line) => lines.push(line), now: () => AT });
  logger.event("joined", "joined sender", { sender: "10.0.0.2:8080" });
  assert.deepEqual(JSON.parse(lines[0]), {
    time: new Date(AT).toISOString(),
    event: "joined",
    sender: "10.0.0.2:8080",
  });
});
