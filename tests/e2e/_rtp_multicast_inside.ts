// Run by the rtp e2e tests inside a network namespace whose loopback carries
// multicast: a receiver of rtp://GROUP:PORT, and Deno.args[0] sending the clip
// Deno.args[1] to the group: "gstreamer" (which does not join the group, so
// only the receiver's join brings the stream in) or udpcam's "sender" with
// --rtp; prints the receiver's stats as JSON. With "players", udpcam's sender
// sends to the group with --sdp, and ffmpeg (through the SDP) and GStreamer
// (udpsrc joining the group) play it: prints the MD5s of what each decoded.
import { ToolProcess } from "../_tool.ts";
import { gstSenderArgs } from "../../scripts/bench/gstreamer.ts";
import { frameMd5s } from "../rtp/_rtp_peers.ts";

const [peer, clip, group, port] = Deno.args;
if (peer === "players") {
  const dir = await Deno.makeTempDir();
  const sdp = `${dir}/cam.sdp`;
  const sender = new ToolProcess("sender", [
    "--source",
    clip,
    "--copy",
    "--loop",
    "--listen",
    "127.0.0.1:0",
    "--rtp",
    `${group}:${port}`,
    "--ttl",
    "1",
    "--sdp",
    sdp,
  ]);
  try {
    await sender.waitFor("rtp");
    const ffmpeg = new Deno.Command("ffmpeg", {
      args: [
        ...["-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file,udp,rtp"],
        ...["-i", sdp, "-frames:v", "8", "-c", "copy", "-f", "mjpeg", `${dir}/ffmpeg.mjpeg`],
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    const gstreamer = new Deno.Command("gst-launch-1.0", {
      args: [
        "-q",
        "udpsrc",
        `address=${group}`,
        `port=${port}`,
        "auto-multicast=true",
        "num-buffers=120",
        "caps=application/x-rtp,media=(string)video,clock-rate=(int)90000,encoding-name=(string)JPEG,payload=(int)26",
        "!",
        "rtpjpegdepay",
        "!",
        "filesink",
        `location=${dir}/gstreamer.mjpeg`,
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    const [ffmpegDone, gstDone] = await Promise.all([ffmpeg, gstreamer]);
    console.log(JSON.stringify({
      sent: ffmpegDone.success && gstDone.success,
      ffmpeg: await frameMd5s(`${dir}/ffmpeg.mjpeg`, "mjpeg").catch(() => []),
      gstreamer: await frameMd5s(`${dir}/gstreamer.mjpeg`, "mjpeg").catch(() => []),
      sdp: await Deno.readTextFile(sdp),
    }));
  } finally {
    await sender.stop();
    await Deno.remove(dir, { recursive: true });
  }
  Deno.exit(0);
}
const receiver = new ToolProcess("receiver", [`rtp://${group}:${port}`, "--http", "127.0.0.1:0"]);
try {
  const { url } = await receiver.waitFor("listening");
  let sent: boolean;
  if (peer === "gstreamer") {
    const args = gstSenderArgs(clip, Number(port)).map((arg) =>
      arg === "host=127.0.0.1" ? `host=${group}` : arg
    );
    sent = (await new Deno.Command("gst-launch-1.0", {
      args: [...args, "auto-multicast=false", "ttl-mc=1", "loop=true"],
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } else {
    const sender = new ToolProcess("sender", [
      "--source",
      clip,
      "--listen",
      "127.0.0.1:0",
      "--rtp",
      `${group}:${port}`,
      "--ttl",
      "1",
    ]);
    await sender.waitFor("rtp");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    sent = (await sender.stop()).success;
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stats = await (await fetch(`${url}stats`)).json();
  console.log(JSON.stringify({ sent, stats }));
} finally {
  await receiver.stop();
}
