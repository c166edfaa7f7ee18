import assert from "node:assert/strict";
import { freeUdpPort, ToolProcess } from "../_tool.ts";
import { frameMd5s, makeRtpClip, rtpSender } from "../rtp/_rtp_peers.ts";

const FRAMES = 45;

for (const program of ["gstreamer", "ffmpeg"] as const) {
  Deno.test(`the receiver shows ${program}'s RTP/JPEG from rtp://HOST:PORT: every frame, the very pixels sent`, async () => {
    const dir = await Deno.makeTempDir();
    const port = freeUdpPort();
    const receiver = new ToolProcess("receiver", [
      `rtp://127.0.0.1:${port}`,
      "--http",
      "127.0.0.1:0",
    ]);
    try {
      const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: FRAMES });
      const { url, sender } = await receiver.waitFor("listening");
      assert.equal(sender, `rtp://127.0.0.1:${port}`);
      const before = await (await fetch(`${url}stats`)).json();
      assert.equal(before.state, "waiting");
      const peer = rtpSender(program, clip, "127.0.0.1", port);
      // Halfway through the clip, the picture is one of its frames.
      await new Promise((resolve) => setTimeout(resolve, 800));
      const snapshot = new Uint8Array(await (await fetch(`${url}snapshot.jpg`)).arrayBuffer());
      await Deno.writeFile(`${dir}/snapshot.jpg`, snapshot);
      assert.ok((await peer.status).success, `${program} sent the clip`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stats = await (await fetch(`${url}stats`)).json();
      assert.equal(stats.state, "live");
      assert.equal(stats.framesReceived, FRAMES, "every frame");
      assert.equal(stats.framesDropped.lost, 0);
      const sent = new Set(await frameMd5s(clip));
      const [shown] = await frameMd5s(`${dir}/snapshot.jpg`);
      assert.ok(sent.has(shown), "the snapshot is a frame sent, to the pixel");
    } finally {
      await receiver.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("the receiver joins a multicast group from rtp://GROUP:PORT and shows what is sent to it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: FRAMES });
    const inside = new URL("./_rtp_multicast_inside.ts", import.meta.url).pathname;
    // A namespace of its own, its loopback set to carry multicast (CI runs as root).
    const setup =
      "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo";
    const out = await new Deno.Command("unshare", {
      args: [
        "--net",
        "sh",
        "-c",
        `${setup} && exec "$0" run -A --unstable-net "$1" "$2" 239.255.42.7 5004`,
        Deno.execPath(),
        inside,
        clip,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.ok(out.success, `the namespace ran: ${new TextDecoder().decode(out.stderr)}`);
    const { sent, stats } = JSON.parse(text.trim().split("\n").at(-1)!);
    assert.ok(sent, "GStreamer sent to the group");
    assert.equal(stats.framesReceived, FRAMES, "every frame, through the group");
    assert.equal(stats.sender, "rtp://239.255.42.7:5004");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
