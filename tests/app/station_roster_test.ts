import assert from "node:assert/strict";
import { StationRoster } from "../../lib/app/station_roster.ts";
import type { FoundSender } from "../../lib/discover/discover_senders.ts";

const sender = (name: string, port: number, version?: number): FoundSender => ({
  name,
  address: "192.168.1.20",
  port,
  keyed: false,
  version,
});

Deno.test("StationRoster: each sender joined once, named from its announcement, a named one never twice", () => {
  const names = new Set<string>(["door"]);
  const roster = new StationRoster(["192.168.1.20:8080"], (name) => names.has(name));
  assert.equal(roster.found(sender("door", 8080)), undefined, "named on the command line");
  const joined = roster.found(sender("Front Door", 8081));
  assert.deepEqual(joined, { join: "Front-Door" });
  // Not in the station yet (being added): its name is taken all the same.
  assert.equal(roster.found(sender("Front Door", 8081)), undefined, "heard again");
  assert.deepEqual(roster.found(sender("Front Door", 8082)), { join: "Front-Door-2" });
  assert.equal(roster.found(sender("future", 8083, 2)), undefined, "another protocol version");
  assert.equal(roster.gone(sender("door", 8080)), undefined, "not --all's to drop");
  assert.equal(roster.gone(sender("Front Door", 8081)), "Front-Door");
  assert.equal(roster.gone(sender("Front Door", 8081)), undefined);
});

Deno.test("StationRoster: a LAN announcing ever more senders gets the station to its most and no further, told once", () => {
  const roster = new StationRoster([], () => false, 64);
  const results = Array.from(
    { length: 1000 },
    (_, i) => roster.found(sender(`fake${i}`, 10_000 + i)),
  );
  assert.equal(results.filter((r) => r !== undefined && "join" in r).length, 64);
  assert.deepEqual(results.filter((r) => r !== undefined && "full" in r && r.full).length, 1);
  // One leaving makes room, and the next is told again.
  assert.equal(roster.gone(sender("fake3", 10_003)), "fake3");
  assert.deepEqual(roster.found(sender("late", 20_000)), { join: "late" });
  assert.deepEqual(roster.found(sender("later", 20_001)), { full: true });
});
