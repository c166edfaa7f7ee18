import assert from "node:assert/strict";
import { judgeTransports } from "../../scripts/bench/transport_report.ts";
import {
  countGstFrames,
  GST_LAUNCH,
  gstreamerVersion,
  gstReceiverArgs,
  gstSenderArgs,
  srtpKeyHex,
} from "../../scripts/bench/gstreamer.ts";
import type { TransportResult } from "../../scripts/bench/transport.ts";
import { freeUdpPort } from "../_tool.ts";
import { withClip } from "../_media.ts";

/** Frames GStreamer's receiver rebuilds from its sender's RTP/JPEG in `ms`, clear or SRTP. */
async function gstreamerFrames(
  clip: string,
  ms: number,
  srtpKey?: string,
  senderKey = srtpKey,
): Promise<number> {
  const port = freeUdpPort();
  const receiver = new Deno.Command(GST_LAUNCH, {
    args: gstReceiverArgs(port, srtpKey),
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // The receiver's socket is bound before the first datagram comes.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const sender = new Deno.Command(GST_LAUNCH, {
    args: gstSenderArgs(clip, port, senderKey),
    stdout: "null",
    stderr: "null",
  }).spawn();
  const count = countGstFrames(receiver.stdout);
  await new Promise((resolve) => setTimeout(resolve, ms));
  for (const child of [sender, receiver]) {
    child.kill("SIGTERM");
    await child.status;
  }
  await count.done;
  return count.frames;
}

Deno.test("GStreamer is installed with every element the transport part uses", async () => {
  assert.match(await gstreamerVersion(), /GStreamer \d+\.\d+/);
});

Deno.test("the bench's GStreamer pipelines carry a clip's frames, clear and with SRTP, not with another key", async () => {
  await withClip(
    { width: 320, height: 240, fps: 30, seconds: 3, noise: 0, qscale: 5 },
    async (clip) => {
      const clear = await gstreamerFrames(clip, 2000);
      assert.ok(clear >= 30, `${clear} frames in the clear`);
      const sealed = await gstreamerFrames(clip, 2000, srtpKeyHex());
      assert.ok(sealed >= 30, `${sealed} frames with SRTP`);
      // So the SRTP row does seal: a receiver with another key gets nothing.
      assert.equal(await gstreamerFrames(clip, 1500, srtpKeyHex(), srtpKeyHex()), 0, "wrong key");
    },
  );
});

Deno.test("the transport part holds each udpcam row against GStreamer's with the same sealing", () => {
  const row = (transport: TransportResult["transport"], total: number): TransportResult => ({
    transport,
    frames: 300,
    fps: 30,
    senderMsPerFrame: total / 2,
    receiverMsPerFrame: total / 2,
    totalMsPerFrame: total,
  });
  const verdicts = judgeTransports([
    row("gstreamer", 1),
    row("udpcam", 1.5),
    row("gstreamer-srtp", 2),
    row("udpcam-key", 3.2),
  ]);
  assert.deepEqual(
    verdicts.map(({ transport, peer, ratio, met }) => [transport, peer, ratio, met]),
    [["udpcam", "gstreamer", 1.5, true], ["udpcam-key", "gstreamer-srtp", 1.6, false]],
  );
  assert.deepEqual(judgeTransports([row("udpcam", 2)]), [], "no ratio against nothing");
});
