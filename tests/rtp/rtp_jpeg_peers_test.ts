import assert from "node:assert/strict";
import { decodeRtpPacket, RtpJpegDepacketizer, type RtpJpegFrame } from "../../lib/rtp/mod.ts";
import { captureRtp, frameMd5s, makeRtpClip, type RtpClipOptions } from "./_rtp_peers.ts";

/** Every JPEG `packets` rebuild, in order. */
function depacketize(packets: Uint8Array[], depacketizer = new RtpJpegDepacketizer()) {
  const frames: RtpJpegFrame[] = [];
  for (const bytes of packets) {
    const packet = decodeRtpPacket(bytes);
    assert.ok(packet !== undefined, "an RTP packet");
    const frame = depacketizer.push(packet);
    if (frame !== undefined) frames.push(frame);
  }
  return { frames, counters: depacketizer.counters };
}

/** The frames' decoded MD5s, through one MJPEG file of them all. */
async function decoded(dir: string, frames: RtpJpegFrame[]): Promise<string[]> {
  const path = `${dir}/rebuilt.mjpeg`;
  const total = frames.reduce((sum, frame) => sum + frame.data.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const frame of frames) {
    joined.set(frame.data, at);
    at += frame.data.length;
  }
  await Deno.writeFile(path, joined);
  return await frameMd5s(path, "mjpeg");
}

const CASES: { program: "gstreamer" | "ffmpeg"; clip: RtpClipOptions }[] = [
  { program: "gstreamer", clip: { pixelFormat: "yuvj420p" } },
  { program: "gstreamer", clip: { pixelFormat: "yuvj422p" } },
  { program: "gstreamer", clip: { pixelFormat: "yuvj420p", restartMarkers: true } },
  { program: "ffmpeg", clip: { pixelFormat: "yuvj420p" } },
  { program: "ffmpeg", clip: { pixelFormat: "yuvj422p" } },
  // Not ffmpeg's of restart markers: its RTP muxer (5.1) sends them as type 1
  // with no restart header, so the interval is lost to any receiver.
];

for (const { program, clip: options } of CASES) {
  const what = `${options.pixelFormat}${options.restartMarkers ? " with restart markers" : ""}`;
  Deno.test(`RtpJpegDepacketizer rebuilds ${program}'s RTP/JPEG of ${what} into the very images sent`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const clip = await makeRtpClip(dir, options);
      const packets = await captureRtp(program, clip);
      const { frames, counters } = depacketize(packets);
      assert.equal(frames.length, 10, `${packets.length} packets made ${frames.length} frames`);
      assert.deepEqual(counters, {
        frames: 10,
        framesDropped: 0,
        packetsRejected: 0,
        packetsLate: 0,
        packetsOtherSource: 0,
      });
      assert.deepEqual(await decoded(dir, frames), await frameMd5s(clip));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("RtpJpegDepacketizer takes a frame's packets in any order, each once, and never gives out a frame with a hole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = await makeRtpClip(dir, { pixelFormat: "yuvj420p", size: "640x480" });
    const packets = await captureRtp("gstreamer", clip);
    const byFrame = new Map<number, Uint8Array[]>();
    for (const bytes of packets) {
      const { timestamp } = decodeRtpPacket(bytes)!;
      byFrame.set(timestamp, [...(byFrame.get(timestamp) ?? []), bytes]);
    }
    const frames = [...byFrame.values()];
    assert.ok(frames.every((p) => p.length >= 3), "frames of 3 packets or more");
    // Each frame's packets reversed, and sent twice over (a replay).
    const reordered = frames.flatMap((p) => [...p].reverse()).concat(packets);
    const replayed = depacketize(reordered);
    assert.equal(replayed.frames.length, 10, "each frame once");
    assert.equal(replayed.counters.packetsLate, packets.length);
    assert.deepEqual(await decoded(dir, replayed.frames), await frameMd5s(clip));
    // A packet lost from the middle of frame 3: frames 1, 2 and 4 to 10 only.
    const lossy = frames.flatMap((p, i) => i === 2 ? p.filter((_, j) => j !== 1) : p);
    const lost = depacketize(lossy);
    assert.equal(lost.frames.length, 9);
    assert.equal(lost.counters.framesDropped, 1);
    const expected = await frameMd5s(clip);
    assert.deepEqual(await decoded(dir, lost.frames), expected.filter((_, i) => i !== 2));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
