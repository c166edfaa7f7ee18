/**
 * The least a Deno sender can do with the transport part's clip: read
 * ffmpeg's output as udpcam's sender does (the same arguments, through
 * `Deno.Command`) and send each read as it is, cut into datagrams of the
 * transport part's MTU, on the same socket udpcam uses. No header, no
 * frame found, no history, no stats. Run by the transport part as
 * `floor_sender.ts CLIP HOST:PORT MODE`, with the sender's permissions.
 *
 * MODE `burst` sends each read in one call; `paced` sends it in clumps of
 * 16 datagrams 0.5 ms apart, waiting as udpcam's sender does (on
 * `Atomics.wait`, see `lib/util/sleep.ts`).
 *
 * @module
 */
import { ffmpegArgs } from "../../lib/capture/ffmpeg_args.ts";
import { resolveFfmpegPath } from "../../lib/ffmpeg/ffmpeg_path.ts";
import { openDatagramSocket } from "../../lib/net/open_datagram_socket.ts";
import { sleep } from "../../lib/util/sleep.ts";
import { GST_MTU } from "./gstreamer.ts";

const [clip, target, mode] = Deno.args;
const [hostname, port] = target.split(":");
const to: Deno.NetAddr = { transport: "udp", hostname, port: Number(port) };
const CLUMP = 16;
const CLUMP_GAP_MS = 0.5;

const socket = openDatagramSocket({ hostname: "127.0.0.1", port: 0 });
const ffmpeg = new Deno.Command(resolveFfmpegPath(), {
  args: ffmpegArgs({ kind: "file", path: clip }, {
    os: Deno.build.os,
    quality: 80,
    loop: true,
    copy: true,
  }),
  stdout: "piped",
  stderr: "null",
}).spawn();
Deno.addSignalListener("SIGTERM", () => {
  ffmpeg.kill("SIGKILL");
  Deno.exit(0);
});
const targets: Deno.NetAddr[] = [];
for await (const chunk of ffmpeg.stdout) {
  const datagrams: Uint8Array[] = [];
  for (let at = 0; at < chunk.length; at += GST_MTU) {
    datagrams.push(chunk.subarray(at, at + GST_MTU));
  }
  while (targets.length < datagrams.length) targets.push(to);
  if (mode === "burst") {
    await socket.sendMany(datagrams, targets.slice(0, datagrams.length));
    continue;
  }
  for (let at = 0; at < datagrams.length; at += CLUMP) {
    if (at > 0) await sleep(CLUMP_GAP_MS);
    const clump = datagrams.slice(at, at + CLUMP);
    await socket.sendMany(clump, targets.slice(0, clump.length));
  }
}
