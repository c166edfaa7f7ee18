import assert from "node:assert/strict";
import { senderStatusText } from "../../lib/app/sender_status.ts";
import { SENDER_REJECTIONS } from "../../lib/send/sender_rejection.ts";
import type { UdpSenderStats } from "../../lib/send/udp_sender_stats.ts";

function stats(fields: Partial<UdpSenderStats>): UdpSenderStats {
  return {
    framesSent: 0,
    datagramsSent: 0,
    bytesSent: 0,
    resentDatagrams: 0,
    resentBytes: 0,
    parityDatagrams: 0,
    parityBytes: 0,
    nacks: 0,
    nacksRefused: 0,
    resendsMissed: 0,
    resendsSkipped: 0,
    sendErrors: 0,
    receiveErrors: 0,
    rejected: Object.fromEntries(
      SENDER_REJECTIONS.map((r) => [r, 0]),
    ) as UdpSenderStats["rejected"],
    receivers: 0,
    links: [],
    ...fields,
  };
}

const link = {
  rttMs: 4.25,
  queueDelayMs: 0,
  framesShown: 100,
  resent: 3,
};

Deno.test("senderStatusText() shows the worst link, the share resent and the rung", () => {
  const text = senderStatusText({
    sourceFps: 30.04,
    fps: 29.96,
    mbps: 22.5,
    stats: stats({
      receivers: 2,
      bytesSent: 1000,
      resentBytes: 50,
      links: [
        { ...link, address: "10.0.0.2:5000", lossPercent: 0.5, framesLost: 0 },
        { ...link, address: "10.0.0.3:5000", lossPercent: 7.25, framesLost: 4, rttMs: 9 },
      ],
    }),
    rung: { quality: 65, fpsScale: 1, widthScale: 0.75 },
    skipped: 2,
    loopLagMs: 12.34,
  });
  assert.equal(
    text,
    "udpcam sender | source 30.0 fps | sent 30.0 fps | 22.5 Mbit/s | 2 receivers | rtt 9.0 ms | loss 7.3 % | " +
      "frames lost 4 | resent 5.0 % | q65 x0.75 | skipped 2 | loop lag 12.3 ms",
  );
});

Deno.test("senderStatusText() leaves out the link with no receiver and the rung when not adapting; the source's rate shows all the same", () => {
  const text = senderStatusText({
    sourceFps: 29.5,
    fps: 0,
    mbps: 0,
    stats: stats({}),
    rung: undefined,
    skipped: 0,
    loopLagMs: 0,
  });
  assert.equal(
    text,
    "udpcam sender | source 29.5 fps | sent 0.0 fps | 0.0 Mbit/s | 0 receivers | resent 0.0 % | skipped 0 | " +
      "loop lag 0.0 ms",
  );
});
