import assert from "node:assert/strict";
import { startCensusTool } from "../../scripts/bench/census_tool.ts";
import { startSender } from "../_tool.ts";

Deno.test("the bench's census keeps the receiver's own permissions: it still records", async () => {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-census-" });
  const [sender, port] = await startSender(["--source", "test", "--fps", "10"]);
  const { running: receiver, censusPath } = startCensusTool(
    "receiver",
    [`127.0.0.1:${port}`, "--record", `${dir}/x.mkv`, "--http", "127.0.0.1:0"],
    `${dir}/census.jsonl`,
  );
  try {
    await receiver.waitFor("record_file");
    await receiver.waitFor("state", (event) => event.to === "live");
    const census = (await Deno.readTextFile(censusPath)).trim().split("\n");
    assert.equal(typeof JSON.parse(census[0]).heapUsed, "number");
  } finally {
    await receiver.stop();
    await sender.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
