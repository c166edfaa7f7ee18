import assert from "node:assert/strict";
import { freeUdpPort, runTool, ToolProcess } from "../_tool.ts";
import { rtpJpegSdp } from "../../lib/rtp/mod.ts";
import { multicastInNamespace } from "./_multicast_namespace.ts";
import { ffmpegRtpArgs, frameMd5s, makeRtpClip, rtpSender } from "../rtp/_rtp_peers.ts";

const FRAMES = 45;

/** The receiver, as shipped, taking RTP/JPEG on 127.0.0.1:`port`; its preview on a free port. */
function rtpReceiver(port: number): ToolProcess {
  return new ToolProcess("receiver", [`rtp://127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
}

for (const program of ["gstreamer", "ffmpeg"] as const) {
  Deno.test(`the receiver shows ${program}'s RTP/JPEG from rtp://HOST:PORT: every frame, the very pixels sent`, async () => {
    const dir = await Deno.makeTempDir();
    const port = freeUdpPort();
    const receiver = rtpReceiver(port);
    try {
      const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: FRAMES });
      const { url, sender } = await receiver.waitFor("listening");
      assert.equal(sender, `rtp://127.0.0.1:${port}`);
      const before = await (await fetch(`${url}stats`)).json();
      assert.equal(before.state, "waiting");
      const peer = rtpSender(program, clip, "127.0.0.1", port);
      // Once frames come, the picture is one of the clip's.
      while ((await (await fetch(`${url}stats`)).json()).framesReceived < 5) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
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
    const { sent, stats } = await multicastInNamespace("gstreamer", clip, "239.255.42.7", 5004);
    assert.ok(sent, "GStreamer sent to the group");
    assert.equal(stats.framesReceived, FRAMES, "every frame, through the group");
    assert.equal(stats.sender, "rtp://239.255.42.7:5004");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hostile datagrams to rtp:// while a stream plays (junk, other SSRCs, other payload types, tiny fragments) cost it no frame", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeUdpPort();
  const receiver = rtpReceiver(port);
  const attacker = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: FRAMES });
    const { url } = await receiver.waitFor("listening");
    const peer = rtpSender("gstreamer", clip, "127.0.0.1", port);
    // The stream's first frames shown, then the attack.
    while ((await (await fetch(`${url}stats`)).json()).framesReceived < 3) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    for (let i = 0; i < 6000; i++) {
      const body = random(8 + (i % 200));
      const header = Uint8Array.of(0x80, i % 3 === 0 ? 96 : 26, i >> 8, i & 0xff, ...random(8));
      // RFC 2435 main header: a small offset, type 1, Q 50, 40x30 blocks.
      body.set([0, 0, (i >> 4) & 0xff, i & 0x0f, 1, 50, 40, 30]);
      const datagram = i % 4 === 0 ? random(i % 1500) : Uint8Array.of(...header, ...body);
      await attacker.send(datagram, to);
      if (i % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.ok((await peer.status).success);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stats = await (await fetch(`${url}stats`)).json();
    assert.equal(stats.framesReceived, FRAMES, "every frame of the stream");
    assert.equal(stats.framesDropped.lost, 0);
    assert.ok(stats.rejected.wrongSender > 1000, `other SSRCs: ${stats.rejected.wrongSender}`);
    assert.ok(stats.rejected.malformed > 100, `not RTP: ${stats.rejected.malformed}`);
    assert.ok(stats.packetsDropped.wrongSession > 1000, "other payload types");
  } finally {
    attacker.close();
    await receiver.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the receiver takes the stream an SDP file describes: ffmpeg's own, with a dynamic payload type", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeUdpPort();
  const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: FRAMES });
  const sdp = `${dir}/cam.sdp`;
  // ffmpeg writes the SDP of what it sends: payload type 96, rtpmap JPEG/90000.
  const rtp = ffmpegRtpArgs(clip, `rtp://127.0.0.1:${port}`, [
    "-payload_type",
    "96",
    "-sdp_file",
    sdp,
  ]);
  const dry = await new Deno.Command("ffmpeg", {
    args: [...rtp.filter((a) => a !== "-re"), "-frames:v", "1"],
  }).output();
  assert.ok(dry.success);
  assert.match(await Deno.readTextFile(sdp), /a=rtpmap:96 JPEG\/90000/);
  const receiver = new ToolProcess("receiver", ["--sdp", sdp, "--http", "127.0.0.1:0"]);
  try {
    const { url, sender } = await receiver.waitFor("listening");
    assert.equal(sender, `rtp://0.0.0.0:${port}`);
    const sent = await new Deno.Command("ffmpeg", { args: rtp }).output();
    assert.ok(sent.success);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stats = await (await fetch(`${url}stats`)).json();
    assert.equal(stats.framesReceived, FRAMES, "every frame, payload type 96");
  } finally {
    await receiver.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the receiver shows a frame over 2040 pixels at its size from the SDP's x-dimensions", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeUdpPort();
  const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 10, size: "2560x1440" });
  const sdp = `${dir}/big.sdp`;
  await Deno.writeTextFile(
    sdp,
    rtpJpegSdp({ address: "127.0.0.1", port, width: 2560, height: 1440 }),
  );
  const receiver = new ToolProcess("receiver", ["--sdp", sdp, "--http", "127.0.0.1:0"]);
  try {
    const { url } = await receiver.waitFor("listening");
    assert.ok((await rtpSender("gstreamer", clip, "127.0.0.1", port).status).success);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stats = await (await fetch(`${url}stats`)).json();
    assert.equal(stats.framesReceived, 10);
    assert.deepEqual([stats.width, stats.height], [2560, 1440]);
  } finally {
    await receiver.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--sdp with a file that is missing or describes no RTP/JPEG: one line, exit 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/h264.sdp`,
      "v=0\nc=IN IP4 127.0.0.1\nm=video 5000 RTP/AVP 96\na=rtpmap:96 H264/90000\n",
    );
    for (
      const [file, said] of [["missing.sdp", /no such file/], [
        "h264.sdp",
        /no RTP\/JPEG video/,
      ]] as const
    ) {
      const { code, stderr } = await runTool("receiver", ["--sdp", `${dir}/${file}`]);
      assert.equal(code, 2, `${file}: ${stderr}`);
      assert.match(stderr, said);
      assert.equal(stderr.trim().split("\n").length, 1, `one line: ${stderr}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
