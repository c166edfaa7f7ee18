import { fixed } from "./report.ts";
import { GST_MTU } from "./gstreamer.ts";
import type { Transport, TransportResult } from "./transport.ts";

/** How much more CPU a frame udpcam may take than GStreamer with the same sealing. */
export const TRANSPORT_RATIO_TARGET = 1.5;

/** What each row is, in the table. */
const LABELS: Record<Transport, string> = {
  "gstreamer": `GStreamer rtpjpegpay mtu=${GST_MTU} ! udpsink / udpsrc ! rtpjpegdepay`,
  "gstreamer-srtp": "GStreamer with srtpenc / srtpdec, AES-128-GCM",
  "udpcam": "udpcam, clear, --copy --adapt off",
  "udpcam-key": "udpcam, --key, --copy --adapt off",
  "floor-burst": "Deno floor: ffmpeg's reads sent whole, bytes counted",
  "floor-paced": "Deno floor, paced as udpcam: clumps of 16, 0.5 ms apart",
};

/** Rows shown against GStreamer's but not judged: what no Deno program goes below. */
const FLOORS: Partial<Record<Transport, Transport>> = {
  "floor-burst": "gstreamer",
  "floor-paced": "gstreamer",
};

/** Which GStreamer row each udpcam row is held against. */
const PEER: Partial<Record<Transport, Transport>> = {
  "udpcam": "gstreamer",
  "udpcam-key": "gstreamer-srtp",
};

/** A udpcam row's CPU a frame against its GStreamer peer's, and whether it meets the target. */
export interface TransportVerdict {
  transport: Transport;
  peer: Transport;
  ratio: number;
  met: boolean;
}

/** Judges each udpcam row against the GStreamer row with the same sealing, measured in the same run. */
export function judgeTransports(results: TransportResult[]): TransportVerdict[] {
  const verdicts: TransportVerdict[] = [];
  for (const result of results) {
    const peer = PEER[result.transport];
    const other = results.find((r) => r.transport === peer);
    if (peer === undefined || other === undefined) continue;
    const ratio = result.totalMsPerFrame / other.totalMsPerFrame;
    verdicts.push({
      transport: result.transport,
      peer,
      ratio,
      met: ratio <= TRANSPORT_RATIO_TARGET,
    });
  }
  return verdicts;
}

/** The transport part as markdown: how it was measured, the table, and the targets judged. */
export function formatTransportReport(
  results: TransportResult[],
  options: { size: string; seconds: number; warmupSeconds: number; gstreamer: string },
): string {
  const verdicts = judgeTransports(results);
  const header = [
    "transport",
    "fps",
    "sender CPU ms/frame",
    "receiver CPU ms/frame",
    "total CPU ms/frame",
    "vs GStreamer",
  ];
  const lines = [
    `- Each row: the ${options.size} clip of the sizes part (its frames passed through, at ` +
    `30 fps), a sender and a receiver on 127.0.0.1, started together; CPU (utime+stime, all ` +
    `threads) and frames completed over ${options.seconds} s after ${options.warmupSeconds} s; ` +
    `no HTTP viewer; ${GST_MTU}-byte datagrams on both (udpcam's include its header and, ` +
    `sealed, its nonce and tag; SRTP adds its 16-byte tag to GStreamer's)`,
    `- GStreamer: ${options.gstreamer}; its sender demuxes the file in process, and udpcam's ` +
    `ffmpeg is not counted`,
    `- Deno floor: scripts/bench/floor_sender.ts reads ffmpeg's output as udpcam's sender does ` +
    `and sends each read cut into ${GST_MTU}-byte datagrams, no header, on udpcam's socket; ` +
    `floor_receiver.ts counts the bytes; the tools' permissions and flags. The least any Deno ` +
    `sender and receiver spend, shown against GStreamer and not judged`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
  ];
  const ratioOf = (result: TransportResult): string => {
    const verdict = verdicts.find((v) => v.transport === result.transport);
    if (verdict !== undefined) return `${fixed(verdict.ratio, 2)}x`;
    const floorPeer = results.find((r) => r.transport === FLOORS[result.transport]);
    if (floorPeer === undefined) return "1x";
    return `${fixed(result.totalMsPerFrame / floorPeer.totalMsPerFrame, 2)}x`;
  };
  for (const result of results) {
    lines.push(
      `| ${
        [
          LABELS[result.transport],
          fixed(result.fps, 1),
          fixed(result.senderMsPerFrame, 2),
          fixed(result.receiverMsPerFrame, 2),
          fixed(result.totalMsPerFrame, 2),
          ratioOf(result),
        ].join(" | ")
      } |`,
    );
  }
  lines.push("", `Targets: udpcam's CPU a frame within ${TRANSPORT_RATIO_TARGET}x of GStreamer's`);
  for (const verdict of verdicts) {
    lines.push(
      `- ${verdict.transport} against ${verdict.peer}: ${fixed(verdict.ratio, 2)}x ` +
        (verdict.met ? "met" : "NOT met"),
    );
  }
  return lines.join("\n");
}
