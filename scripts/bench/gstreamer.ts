/**
 * GStreamer's RTP/JPEG over UDP (RFC 2435), clear or sealed with SRTP
 * AES-128-GCM: the peer the transport part measures udpcam against, run as
 * `gst-launch-1.0` pipelines.
 *
 * @module
 */
import { RECEIVE_BUFFER_BYTES } from "../../lib/net/system_udp_socket.ts";
import type { FrameSize } from "./bench_args.ts";

/** The command that runs a pipeline. */
export const GST_LAUNCH = "gst-launch-1.0";

/** The largest RTP packet, as udpcam's datagram: 1,200 bytes. */
export const GST_MTU = 1200;

/** The stream's SSRC: fixed, so that the SRTP receiver's caps can name it. */
const SSRC = 0x12345678;

/** Thrown when GStreamer or one of its plugins is not installed. */
export class GstreamerMissingError extends Error {
  override name = "GstreamerMissingError";
}

/** The elements the pipelines use, and the apt package each comes in. */
const ELEMENTS: Record<string, string> = {
  avidemux: "gstreamer1.0-plugins-good",
  rtpjpegpay: "gstreamer1.0-plugins-good",
  rtpjpegdepay: "gstreamer1.0-plugins-good",
  udpsink: "gstreamer1.0-plugins-good",
  udpsrc: "gstreamer1.0-plugins-good",
  srtpenc: "gstreamer1.0-plugins-bad",
  srtpdec: "gstreamer1.0-plugins-bad",
  fpsdisplaysink: "gstreamer1.0-plugins-bad",
  fakesink: "gstreamer1.0-tools",
};

/**
 * GStreamer's version line, once every element the pipelines use is known.
 * @throws {GstreamerMissingError} With the package to install, if one is missing.
 */
export async function gstreamerVersion(): Promise<string> {
  let version: string;
  try {
    const out = await new Deno.Command(GST_LAUNCH, { args: ["--version"], stderr: "null" })
      .output();
    // "gst-launch-1.0 version 1.22.0", then "GStreamer 1.22.0".
    const lines = new TextDecoder().decode(out.stdout).split("\n").map((line) => line.trim());
    version = lines.find((line) => line.startsWith("GStreamer ")) ?? lines[0];
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new GstreamerMissingError(
      `${GST_LAUNCH} not found: install gstreamer1.0-tools, gstreamer1.0-plugins-good and ` +
        "gstreamer1.0-plugins-bad (bash scripts/setup.sh all does)",
    );
  }
  for (const [element, pkg] of Object.entries(ELEMENTS)) {
    const out = await new Deno.Command("gst-inspect-1.0", {
      args: [element],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!out.success) {
      throw new GstreamerMissingError(`GStreamer has no ${element}: install ${pkg}`);
    }
  }
  return version;
}

/** An SRTP master key and salt for AES-128-GCM: 16 and 12 bytes, as hex. */
export function srtpKeyHex(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(28));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const GCM = [
  "rtp-cipher=aes-128-gcm",
  "rtp-auth=null",
  "rtcp-cipher=aes-128-gcm",
  "rtcp-auth=null",
];

/**
 * `gst-launch-1.0`'s arguments to stream `clip` (MJPEG in AVI) at its own
 * pace as RTP/JPEG to 127.0.0.1:`port`, sealed with `srtpKey` if given.
 */
export function gstSenderArgs(clip: string, port: number, srtpKey?: string): string[] {
  const seal = srtpKey === undefined ? [] : ["!", "srtpenc", `key=${srtpKey}`, ...GCM];
  return [
    "-q",
    "filesrc",
    `location=${clip}`,
    "!",
    "avidemux",
    "!",
    "rtpjpegpay",
    `mtu=${GST_MTU}`,
    `ssrc=${SSRC}`,
    ...seal,
    "!",
    "udpsink",
    "host=127.0.0.1",
    `port=${port}`,
    "sync=true",
  ];
}

/**
 * `gst-launch-1.0`'s arguments to receive RTP/JPEG on 127.0.0.1:`port`
 * (SRTP with `srtpKey`, if given; frames of `size`, needed above 2040 pixels), rebuild
 * the JPEGs and count them: `-v`
 * prints the frames rendered so far 10 times a second, not a line a frame,
 * which would add to the receiver's CPU.
 */
export function gstReceiverArgs(port: number, srtpKey?: string, size?: FrameSize): string[] {
  // RTP/JPEG's header gives a size in 8-pixel units, at most 255: a larger
  // frame's comes out of band, as SDP's x-dimensions would give it.
  const dimensions = size !== undefined && (size.width > 2040 || size.height > 2040)
    ? `,x-dimensions=(string)"${size.width},${size.height}"`
    : "";
  const media = "media=(string)video,clock-rate=(int)90000,encoding-name=(string)JPEG," +
    `payload=(int)26${dimensions}`;
  const caps = srtpKey === undefined ? `application/x-rtp,${media}` : [
    `application/x-srtp,${media}`,
    `ssrc=(uint)${SSRC}`,
    `srtp-key=(buffer)${srtpKey}`,
    "srtp-cipher=(string)aes-128-gcm",
    "srtp-auth=(string)null",
    "srtcp-cipher=(string)aes-128-gcm",
    "srtcp-auth=(string)null",
    "roc=(uint)0",
  ].join(",");
  const open = srtpKey === undefined ? [] : ["srtpdec", "!"];
  return [
    "udpsrc",
    "address=127.0.0.1",
    `port=${port}`,
    // What udpcam's receiver asks for (lib/net/system_udp_socket.ts).
    `buffer-size=${RECEIVE_BUFFER_BYTES}`,
    `caps=${caps}`,
    "!",
    ...open,
    "rtpjpegdepay",
    "!",
    "fpsdisplaysink",
    "video-sink=fakesink",
    "text-overlay=false",
    "sync=false",
    "fps-update-interval=100",
    "-v",
  ];
}

/** Frames a receiver of {@linkcode gstReceiverArgs} has rebuilt, counted from its output. */
export interface GstFrameCount {
  /** Frames so far. */
  readonly frames: number;
  /** The receiver's average frame rate since its first frame, as of `frames`. */
  readonly average: number;
  /** Resolves when the output ends. */
  readonly done: Promise<void>;
}

/**
 * Counts the frames in a receiver's output: the latest `rendered: N` of
 * fpsdisplaysink, at most 100 ms old.
 */
export function countGstFrames(stdout: ReadableStream<Uint8Array>): GstFrameCount {
  let frames = 0;
  let average = 0;
  let partial = "";
  const decoder = new TextDecoder();
  const done = stdout.pipeTo(
    new WritableStream<Uint8Array>({
      write(chunk) {
        const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
        // A line cut between two chunks is read once whole.
        partial = lines.pop() ?? "";
        for (const line of lines) {
          const rendered = line.match(/last-message = rendered: (\d+)(?:.*average: ([\d.]+))?/);
          if (rendered === null) continue;
          frames = Number(rendered[1]);
          average = Number(rendered[2] ?? 0);
        }
      },
    }),
  ).catch(() => {});
  return {
    get frames() {
      return frames;
    },
    get average() {
      return average;
    },
    done,
  };
}
