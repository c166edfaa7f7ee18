import assert from "node:assert/strict";
import { freeUdpPort, ToolProcess } from "../_tool.ts";
import { frameMd5s, makeRtpClip, peerDecodes } from "../rtp/_rtp_peers.ts";
import { multicastInNamespace } from "./_multicast_namespace.ts";

/** The sender as shipped, playing `clip` on a loop, its RTP to 127.0.0.1:`port`, until `stop`. */
async function sendRtp(
  clip: string,
  port: number,
  extra: string[],
  stop: AbortSignal,
): Promise<ToolProcess> {
  const sender = new ToolProcess("sender", [
    "--source",
    clip,
    "--loop",
    "--listen",
    "127.0.0.1:0",
    "--rtp",
    `127.0.0.1:${port}`,
    ...extra,
  ]);
  await sender.waitFor("rtp");
  await new Promise((resolve) => stop.addEventListener("abort", resolve, { once: true }));
  await sender.stop();
  return sender;
}

for (const program of ["ffmpeg", "gstreamer"] as const) {
  Deno.test(`${program} plays the sender's --rtp through its --sdp: --copy frames to the pixel`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 20 });
      const port = freeUdpPort();
      const sdp = `${dir}/sent.sdp`;
      let written = "";
      const got = await peerDecodes(program, { port, sdp: "", dir, sdpFile: sdp }, async (stop) => {
        await sendRtp(clip, port, ["--copy", "--sdp", sdp], stop);
        written = await Deno.readTextFile(sdp);
      });
      assert.match(written, new RegExp(`m=video ${port} RTP/AVP 26`));
      const sent = new Set(await frameMd5s(clip));
      assert.ok(got.length >= 6, `${program} decoded ${got.length} frames`);
      for (const md5 of got) assert.ok(sent.has(md5), "a frame sent, to the pixel");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("the sender's own encoding goes out as RTP/JPEG that ffmpeg decodes without an error (standard Huffman tables)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // ffmpeg's optimised tables by default: the sender must ask for the standard ones.
    const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 20 });
    const port = freeUdpPort();
    const sdp = `${dir}/sent.sdp`;
    const got = await peerDecodes(
      "ffmpeg",
      { port, sdp: "", dir, sdpFile: sdp, strict: true },
      (stop) => sendRtp(clip, port, ["--quality", "70", "--sdp", sdp], stop).then(() => {}),
    );
    assert.ok(got.length >= 6, `ffmpeg decoded ${got.length} frames`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--rtp with --copy of frames RTP/JPEG cannot carry: one warning that says what to do, and the udpcam stream goes on", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // ffmpeg's own default: optimised Huffman tables.
    const clip = `${dir}/optimised.avi`;
    const made = await new Deno.Command("ffmpeg", {
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=30",
        "-frames:v",
        "30",
        "-pix_fmt",
        "yuvj420p",
        "-c:v",
        "mjpeg",
        clip,
      ],
    }).output();
    assert.ok(made.success);
    const sender = new ToolProcess("sender", [
      "--source",
      clip,
      "--loop",
      "--copy",
      "--listen",
      "127.0.0.1:0",
      "--rtp",
      `127.0.0.1:${freeUdpPort()}`,
    ]);
    try {
      await sender.waitFor("rtp");
      const warning = await sender.waitFor("warning", (e) => String(e.message).includes("--rtp"));
      assert.match(String(warning.message), /--rtp sends nothing: .*-huffman default/);
    } finally {
      await sender.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the sender's --rtp to a multicast group with --ttl reaches a receiver of rtp://GROUP:PORT", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 60 });
    const { sent, stats } = await multicastInNamespace("sender", clip, "239.255.42.8", 5006);
    assert.ok(sent, "the sender ran and stopped cleanly");
    assert.ok(stats.framesReceived >= 30, `${stats.framesReceived} frames through the group`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the sender's --rtp sends an RTCP sender report to the port above: its SSRC, counts, and clocks that agree", async () => {
  const dir = await Deno.makeTempDir();
  const port = freeUdpPort();
  const rtpSocket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
  const rtcpSocket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: port + 1,
  });
  const sender = new ToolProcess("sender", [
    "--source",
    await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 30 }),
    "--loop",
    "--listen",
    "127.0.0.1:0",
    "--rtp",
    `127.0.0.1:${port}`,
  ]);
  try {
    const [rtp] = await rtpSocket.receive();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const [report] = await Promise.race([
      rtcpSocket.receive(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no RTCP report within 8 s")), 8000);
      }),
    ]).finally(() => clearTimeout(timer));
    const view = new DataView(report.buffer, report.byteOffset);
    assert.deepEqual([report[0], report[1]], [0x80, 200], "an SR");
    assert.equal(view.getUint32(4), new DataView(rtp.buffer).getUint32(8), "the RTP stream's SSRC");
    const wallMs = (view.getUint32(8) - 2_208_988_800) * 1000 +
      (view.getUint32(12) / 2 ** 32) * 1000;
    assert.ok(
      Math.abs(wallMs - Date.now()) < 5000,
      `its NTP time ${new Date(wallMs).toISOString()}`,
    );
    // Its RTP timestamp is on the packets' clock: 90 kHz of the same wall clock.
    const expected = Math.round(wallMs * 90) % 2 ** 32;
    assert.ok(Math.abs(view.getUint32(16) - expected) <= 90, "RTP and NTP time agree within 1 ms");
    assert.ok(view.getUint32(20) > 0, "packets sent");
    assert.deepEqual([report[28], report[29], report[36]], [0x81, 202, 1], "then an SDES CNAME");
    assert.match(new TextDecoder().decode(report.subarray(38, 38 + report[37])), /^udpcam@/);
  } finally {
    await sender.stop();
    rtpSocket.close();
    rtcpSocket.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ffmpeg (through the sender's --sdp) and GStreamer play the sender's --rtp to a multicast group: frames to the pixel", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", frames: 20 });
    const played = await multicastInNamespace("players", clip, "239.255.42.9", 5008);
    assert.match(played.sdp, /c=IN IP4 239\.255\.42\.9\/1/);
    assert.ok(played.sent, "both players ended on their own");
    const sent = new Set(await frameMd5s(clip));
    for (const program of ["ffmpeg", "gstreamer"] as const) {
      assert.ok(played[program].length >= 6, `${program} decoded ${played[program].length} frames`);
      for (const md5 of played[program]) {
        assert.ok(sent.has(md5), `${program}: a frame sent, to the pixel`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
