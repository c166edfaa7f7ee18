/**
 * Runs a script of the tests in a network namespace of its own whose one LAN
 * is a veth pair carrying multicast (10.77.0.1; this kernel has no dummy
 * interfaces), as root (CI runs as root): fails, never skips, where the
 * namespace cannot be made. Returns the JSON the script printed last.
 */
export async function inVethNamespace(script: URL): Promise<Record<string, unknown>> {
  const setup = "ip link set lo up && ip link add v0 type veth peer name v1 && " +
    "ip addr add 10.77.0.1/24 dev v0 && ip link set v0 multicast on && ip link set v1 up && " +
    "ip link set v0 up && ip route add 224.0.0.0/4 dev v0";
  const result = await new Deno.Command("unshare", {
    args: [
      "--net",
      "sh",
      "-c",
      `${setup} && exec "$0" run -A "$1"`,
      Deno.execPath(),
      script.pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(`the namespace did not run: ${new TextDecoder().decode(result.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(result.stdout).trim().split("\n").at(-1)!);
}
