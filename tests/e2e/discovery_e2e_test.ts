/**
 * LAN discovery between the shipped tools, in a network namespace of its
 * own whose veth interface carries multicast (CI runs as root): it fails,
 * never skips, where the namespace cannot be made.
 *
 * @module
 */
import assert from "node:assert/strict";
import { inVethNamespace } from "./_veth_namespace.ts";

Deno.test("receivers find senders on the LAN by name within 3 s, tell a keyed one apart, and join the one there is with no address", async () => {
  // deno-lint-ignore no-explicit-any
  const seen: any = await inVethNamespace(new URL("./_discovery_inside.ts", import.meta.url));
  const [porch, garage] = seen.ports;
  assert.equal(seen.discoverCode, 0);
  assert.deepEqual([...seen.listed].sort(), [
    `garage\t10.77.0.1:${garage}\tneeds a key`,
    `porch\t10.77.0.1:${porch}\tno key`,
  ]);
  assert.ok(
    seen.discoverMs < 3000 + 2000,
    `listed in ${seen.discoverMs} ms (3 s and Deno's start)`,
  );
  assert.equal(seen.found.name, "porch");
  assert.equal(seen.found.address, `10.77.0.1:${porch}`);
  assert.ok(seen.foundMs < 3000 + 2000, `found in ${seen.foundMs} ms`);
  assert.ok(seen.live, "joined it and went live");
});

Deno.test("with the mDNS port taken, the sender warns and streams on, and the receiver finds no one rather than failing", async () => {
  // deno-lint-ignore no-explicit-any
  const seen: any = await inVethNamespace(new URL("./_mdns_taken_inside.ts", import.meta.url));
  assert.match(String(seen.warning), /cannot announce this sender on the network/);
  assert.equal(seen.senderAlive, true);
  assert.deepEqual(seen.discover, { code: 0, stdout: "No sender found on this network." });
  assert.equal(seen.senderExit, 0);
});
