/** Multicast between tools on one machine, in a network namespace of their own, for the rtp tests. */

/**
 * Runs `_rtp_multicast_inside.ts` (`peer` sending `clip` to `group`:`port`, a
 * receiver of it) in a new network namespace whose loopback carries
 * multicast (CI runs as root); what it printed: whether the peer sent, and
 * the receiver's stats. Fails, never skips, where the namespace cannot be made.
 */
export async function multicastInNamespace(
  peer: "gstreamer" | "sender",
  clip: string,
  group: string,
  port: number,
): Promise<{ sent: boolean; stats: Record<string, unknown> & { framesReceived: number } }>;
/** With "players": what ffmpeg and GStreamer decoded of the sender's `--rtp` to the group. */
export async function multicastInNamespace(
  peer: "players",
  clip: string,
  group: string,
  port: number,
): Promise<{ sent: boolean; ffmpeg: string[]; gstreamer: string[]; sdp: string }>;
export async function multicastInNamespace(
  peer: "gstreamer" | "sender" | "players",
  clip: string,
  group: string,
  port: number,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const inside = new URL("./_rtp_multicast_inside.ts", import.meta.url).pathname;
  const setup =
    "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo";
  const out = await new Deno.Command("unshare", {
    args: [
      "--net",
      "sh",
      "-c",
      `${setup} && exec "$0" run -A --unstable-net "$1" "$2" "$3" "$4" "$5"`,
      Deno.execPath(),
      inside,
      peer,
      clip,
      group,
      String(port),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`the namespace did not run: ${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}
