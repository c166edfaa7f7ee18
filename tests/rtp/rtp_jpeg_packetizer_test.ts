import assert from "node:assert/strict";
import {
  decodeRtpPacket,
  readRtpJpegImage,
  RtpJpegDepacketizer,
  RtpJpegError,
  RtpJpegPacketizer,
  rtpJpegSdp,
} from "../../lib/rtp/mod.ts";
import { freeUdpPort } from "../_tool.ts";
import {
  clipJpegs,
  frameMd5s,
  makeRtpClip,
  peerDecodes,
  type RtpClipOptions,
} from "./_rtp_peers.ts";
import { encodeJpeg, standardJpeg } from "../image/_strip_huffman.ts";

/** Sends `jpegs` over and over at 30 fps as RTP/JPEG to 127.0.0.1:`port` until `stop`. */
async function stream(jpegs: Uint8Array[], port: number, stop: AbortSignal): Promise<void> {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
  const packetizer = new RtpJpegPacketizer({ mtu: 1200 });
  try {
    for (let i = 0; !stop.aborted; i++) {
      for (const packet of packetizer.packetize(jpegs[i % jpegs.length], i * 3000)) {
        await socket.send(packet, to);
      }
      await new Promise((resolve) => setTimeout(resolve, 33));
    }
  } finally {
    socket.close();
  }
}

const CASES: { program: "ffmpeg" | "gstreamer"; clip: RtpClipOptions }[] = [
  { program: "ffmpeg", clip: { pixelFormat: "yuvj420p" } },
  { program: "ffmpeg", clip: { pixelFormat: "yuvj422p" } },
  { program: "ffmpeg", clip: { pixelFormat: "yuvj420p", restartMarkers: true } },
  { program: "gstreamer", clip: { pixelFormat: "yuvj420p" } },
  { program: "gstreamer", clip: { pixelFormat: "yuvj422p" } },
  { program: "gstreamer", clip: { pixelFormat: "yuvj420p", restartMarkers: true } },
];

for (const { program, clip: options } of CASES) {
  const what = `${options.pixelFormat}${options.restartMarkers ? " with restart markers" : ""}`;
  Deno.test(`${program} decodes RtpJpegPacketizer's RTP/JPEG of ${what} to the very images sent`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const clip = await makeRtpClip(dir, options);
      const jpegs = await clipJpegs(clip, dir);
      const port = freeUdpPort();
      const sdp = rtpJpegSdp({ address: "127.0.0.1", port });
      const got = await peerDecodes(
        program,
        { port, sdp, dir },
        (stop) => stream(jpegs, port, stop),
      );
      const sent = new Set(await frameMd5s(clip));
      assert.ok(got.length >= 6, `${program} decoded ${got.length} frames`);
      for (const md5 of got) assert.ok(sent.has(md5), "a frame sent, to the pixel");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("RtpJpegPacketizer's packets come back whole through RtpJpegDepacketizer, at any size", async () => {
  for (const [size, width, height] of [["320x240", 320, 240], ["2560x1440", 2560, 1440]] as const) {
    const jpeg = await standardJpeg(size);
    const packets = new RtpJpegPacketizer({ mtu: 1200, ssrc: 5 }).packetize(jpeg, 90_000);
    assert.ok(packets.every((p) => p.length <= 1200), "within the MTU");
    assert.deepEqual(
      packets.map((p) => decodeRtpPacket(p)!.marker),
      packets.map((_, i) => i === packets.length - 1),
    );
    const depacketizer = new RtpJpegDepacketizer({ size: { width, height } });
    const frames = packets.map((p) => depacketizer.push(decodeRtpPacket(p)!)).filter((f) =>
      f !== undefined
    );
    assert.equal(frames.length, 1);
    assert.deepEqual(await md5Of(frames[0]!.data), await md5Of(jpeg), size);
  }
});

Deno.test("readRtpJpegImage() refuses, with what to do, a JPEG RFC 2435 cannot carry", async () => {
  const encode = (args: string[]) => encodeJpeg("64x48", args);
  assert.throws(() => readRtpJpegImage(new Uint8Array(3)), RtpJpegError);
  // ffmpeg's own default: optimised Huffman tables.
  const optimised = await encode(["-pix_fmt", "yuvj420p", "-c:v", "mjpeg"]);
  assert.throws(() => readRtpJpegImage(optimised), /-huffman default/);
  const full = await encode(["-pix_fmt", "yuvj444p", "-c:v", "mjpeg", "-huffman", "default"]);
  assert.throws(() => readRtpJpegImage(full), /4:2:0 and 4:2:2/);
  const standard = await encode(["-pix_fmt", "yuvj420p", "-c:v", "mjpeg", "-huffman", "default"]);
  assert.equal(readRtpJpegImage(standard).type, 1);
  const progressive = standard.slice();
  const sof = progressive.findIndex((b, i) => b === 0xff && progressive[i + 1] === 0xc0);
  progressive[sof + 1] = 0xc2;
  assert.throws(() => readRtpJpegImage(progressive), /baseline/);
});

Deno.test("rtpJpegSdp() writes what players open: a multicast group with its TTL, a large size as x-dimensions", () => {
  assert.equal(
    rtpJpegSdp({ address: "239.1.2.3", port: 5004, ttl: 4, width: 3840, height: 2160 }),
    "v=0\r\no=- 0 0 IN IP4 239.1.2.3\r\ns=udpcam\r\nc=IN IP4 239.1.2.3/4\r\nt=0 0\r\n" +
      "m=video 5004 RTP/AVP 26\r\na=rtpmap:26 JPEG/90000\r\na=x-dimensions:3840,2160\r\n",
  );
  assert.match(
    rtpJpegSdp({ address: "192.168.1.5", port: 5004, width: 640, height: 480 }),
    /c=IN IP4 192.168.1.5\r\n/,
  );
  assert.throws(() => rtpJpegSdp({ address: "239.1.2.3", port: 5004 }), RangeError);
  assert.throws(() => rtpJpegSdp({ address: "10.0.0.1", port: 5004, ttl: 1 }), RangeError);
});

async function md5Of(jpeg: Uint8Array): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/a.jpg`, jpeg);
    return (await frameMd5s(`${dir}/a.jpg`))[0];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
