/**
 * README.md's "Two machines" section, run as written, in a network namespace
 * of its own whose veth interface carries multicast (CI runs as root; it
 * fails, never skips, where the namespace cannot be made).
 *
 * @module
 */
import assert from "node:assert/strict";
import { inVethNamespace } from "./_veth_namespace.ts";

Deno.test("the README's 'Two machines' commands work as written: the sender announced, listed, and joined with and without its address", async () => {
  const { name, results } = await inVethNamespace(
    new URL("./_readme_two_machines_inside.ts", import.meta.url),
    // deno-lint-ignore no-explicit-any
  ) as { name: string; results: any[] };
  const by = (command: string) => results.find((r: { command: string }) => r.command === command);
  assert.equal(results.length, 5, JSON.stringify(results));
  assert.equal(by("sender.exe").announced, name);
  assert.equal(by("sender.exe --list-cameras").code, 0);
  assert.equal(by("./receiver --discover").code, 0);
  assert.match(
    by("./receiver --discover").listed[0],
    new RegExp(`^${name}\\t10\\.77\\.0\\.1:8080\\tno key$`),
  );
  assert.equal(by("./receiver --open").live, true);
  assert.equal(by("./receiver 192.168.1.20 --open").live, true);
});
