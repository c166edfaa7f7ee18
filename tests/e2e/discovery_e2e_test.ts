/**
 * LAN discovery between the shipped tools, in a network namespace of its
 * own whose veth interface carries multicast (CI runs as root): it fails,
 * never skips, where the namespace cannot be made.
 *
 * @module
 */
import assert from "node:assert/strict";

Deno.test("receivers find senders on the LAN by name within 3 s, tell a keyed one apart, and join the one there is with no address", async () => {
  const inside = new URL("./_discovery_inside.ts", import.meta.url).pathname;
  // A veth pair (this kernel has no dummy interfaces): the machine's one LAN.
  const setup = "ip link set lo up && ip link add v0 type veth peer name v1 && " +
    "ip addr add 10.77.0.1/24 dev v0 && ip link set v0 multicast on && ip link set v1 up && " +
    "ip link set v0 up && ip route add 224.0.0.0/4 dev v0";
  const result = await new Deno.Command("unshare", {
    args: ["--net", "sh", "-c", `${setup} && exec "$0" run -A "$1"`, Deno.execPath(), inside],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(result.stderr);
  assert.ok(result.success, `the namespace ran: ${stderr}`);
  const seen = JSON.parse(new TextDecoder().decode(result.stdout).trim().split("\n").at(-1)!);
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
