/**
 * README.md's "Two machines" section, run as written, in a network namespace
 * of its own whose veth interface carries multicast (CI runs as root; it
 * fails, never skips, where the namespace cannot be made).
 *
 * @module
 */
import assert from "node:assert/strict";

Deno.test("the README's 'Two machines' commands work as written: the sender announced, listed, and joined with and without its address", async () => {
  const inside = new URL("./_readme_two_machines_inside.ts", import.meta.url).pathname;
  const setup = "ip link set lo up && ip link add v0 type veth peer name v1 && " +
    "ip addr add 10.77.0.1/24 dev v0 && ip link set v0 multicast on && ip link set v1 up && " +
    "ip link set v0 up && ip route add 224.0.0.0/4 dev v0";
  const result = await new Deno.Command("unshare", {
    args: ["--net", "sh", "-c", `${setup} && exec "$0" run -A "$1"`, Deno.execPath(), inside],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(result.success, `the namespace ran: ${new TextDecoder().decode(result.stderr)}`);
  const { name, results } = JSON.parse(
    new TextDecoder().decode(result.stdout).trim().split("\n").at(-1)!,
  );
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
