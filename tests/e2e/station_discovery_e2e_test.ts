/**
 * `receiver --all`, the station of every sender on the LAN, in a network
 * namespace of its own whose veth interface carries multicast (CI runs as
 * root), its grid page in Chromium in the same namespace: it fails, never
 * skips, where the namespace cannot be made.
 *
 * @module
 */
import assert from "node:assert/strict";
import { inVethNamespace } from "./_veth_namespace.ts";

Deno.test("receiver --all shows every sender announcing itself in the grid, and a sender that comes or goes gets or loses its tile with no reload", async () => {
  const seen = await inVethNamespace(
    new URL("./_station_discovery_inside.ts", import.meta.url),
  );
  assert.equal(seen.error, undefined, String(seen.error));
  assert.deepEqual(seen.first, ["gate", "porch", "yard"]);
  assert.deepEqual(seen.withShed, ["gate", "porch", "shed", "yard"]);
  assert.equal(seen.shedState, "live");
  assert.ok(Number(seen.shedMs) < 10_000, `the fourth tile painted in ${seen.shedMs} ms`);
  assert.deepEqual(seen.afterShed, ["gate", "porch", "yard"]);
  assert.deepEqual((seen.found as string[]).toSorted(), ["gate", "porch", "shed", "yard"]);
  assert.equal(seen.sameDocument, true, "the page was not reloaded");
  assert.equal(seen.pageLoads, 1);
  assert.equal(seen.gridStreams, 1);
  assert.deepEqual(seen.gone, ["shed"]);
  assert.deepEqual(seen.errors, []);
});
