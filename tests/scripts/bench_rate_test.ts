import assert from "node:assert/strict";
import {
  FIRST_RATE,
  type HighestRate,
  LAST_RATE,
  nextRate,
  type RateStep,
  socketDrops,
} from "../../scripts/bench/highest_rate.ts";
import { judgeRates, megabits } from "../../scripts/bench/rate_report.ts";
import { rateClip } from "../../scripts/bench/rate_clip.ts";
import {
  countGstFrames,
  GST_LAUNCH,
  gstReceiverArgs,
  gstSenderArgs,
} from "../../scripts/bench/gstreamer.ts";
import { freeUdpPort } from "../_tool.ts";
import { withClip } from "../_media.ts";

const step = (rate: number, lost: boolean): RateStep => ({
  rate,
  expected: 1000,
  delivered: lost ? 990 : 1000,
  loss: lost ? 0.01 : 0,
});

/** The rates `nextRate` tries when every rate up to `limit` is carried. */
function ladder(limit: number): number[] {
  const steps: RateStep[] = [];
  for (let rate = nextRate(steps); rate !== undefined; rate = nextRate(steps)) {
    steps.push(step(rate, rate > limit));
  }
  return steps.map((s) => s.rate);
}

Deno.test("nextRate() doubles until a rate fails, then tries twice between", () => {
  assert.deepEqual(ladder(500), [30, 60, 120, 240, 480, 960, 679, 571]);
  assert.deepEqual(ladder(100), [30, 60, 120, 85, 101]);
  // Nothing carried: nothing more to try.
  assert.deepEqual(ladder(10), [FIRST_RATE]);
  // Everything carried: up to the last rate, and no further.
  assert.equal(ladder(Infinity).at(-1), LAST_RATE);
});

Deno.test("judgeRates() holds udpcam within 1.5x of GStreamer's highest, and to a gigabit where GStreamer got one", () => {
  const row = (transport: HighestRate["transport"], size: string, highest: number) => ({
    transport,
    size,
    meanFrameBytes: size === "4k" ? 300_000 : 80_000,
    highest,
    capped: false,
    steps: [],
  });
  const verdicts = judgeRates([
    row("gstreamer", "hd", 480),
    row("udpcam", "hd", 320),
    row("gstreamer", "4k", 480),
    row("udpcam", "4k", 400),
    row("gstreamer", "sd", 480),
    row("udpcam", "sd", 0),
  ]);
  assert.deepEqual(verdicts.map((v) => [v.size, v.met]), [
    ["hd", true],
    // Within 1.5x, but GStreamer carried 1,152 Mbit/s and udpcam 960.
    ["4k", false],
    ["sd", false],
  ]);
  assert.equal(megabits(400, 300_000), 960);
});

Deno.test("rateClip() plays the clip's frames, untouched, at another rate", async () => {
  await withClip(
    { width: 160, height: 120, fps: 30, seconds: 1, noise: 0, qscale: 5 },
    async (path) => {
      const dir = await Deno.makeTempDir();
      try {
        const clip = { size: { width: 160, height: 120 }, path, meanFrameBytes: 1 };
        const out = await rateClip(clip, 240, 75, dir);
        const probe = await new Deno.Command("ffprobe", {
          args: [
            "-v",
            "error",
            "-count_packets",
            "-show_entries",
            "stream=codec_name,r_frame_rate,nb_read_packets",
            "-of",
            "csv=p=0",
            out,
          ],
        }).output();
        assert.equal(new TextDecoder().decode(probe.stdout).trim(), "mjpeg,240/1,75");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
});

Deno.test("socketDrops() reads the drops of a socket that overflowed, 0 for one that did not", async () => {
  const port = freeUdpPort();
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
  const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  try {
    assert.equal(await socketDrops(port), 0);
    // Nothing reads it: the default buffer holds about 90 of these.
    const datagram = new Uint8Array(1200);
    for (let i = 0; i < 400; i++) await sender.send(datagram, socket.addr);
    const drops = await socketDrops(port);
    assert.ok(drops > 100 && drops < 400, `${drops} drops`);
  } finally {
    socket.close();
    sender.close();
  }
});

Deno.test("the bench's GStreamer pipelines carry frames wider than RTP/JPEG's header can say", async () => {
  const size = { width: 2560, height: 1440 };
  await withClip({ ...size, fps: 30, seconds: 1, noise: 0, qscale: 5 }, async (clip) => {
    const frames = async (known: typeof size | undefined) => {
      const port = freeUdpPort();
      const receiver = new Deno.Command(GST_LAUNCH, {
        args: gstReceiverArgs(port, undefined, known),
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const count = countGstFrames(receiver.stdout);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await new Deno.Command(GST_LAUNCH, {
        args: gstSenderArgs(clip, port),
        stdout: "null",
        stderr: "null",
      }).output();
      await new Promise((resolve) => setTimeout(resolve, 300));
      receiver.kill("SIGTERM");
      await receiver.status;
      await count.done;
      return count.frames;
    };
    assert.ok((await frames(size)) >= 25, "with the size given");
    // Without it, rtpjpegdepay reads a 0x0 frame and gives nothing out.
    assert.equal(await frames(undefined), 0);
  });
});
