/** Real RTP/JPEG senders (GStreamer, ffmpeg) and what they send, for the rtp tests. */
import { freeUdpPort } from "../_tool.ts";
import { gstSenderArgs } from "../../scripts/bench/gstreamer.ts";

/** Options for {@linkcode makeRtpClip}. */
export interface RtpClipOptions {
  /** "yuvj420p" (RTP/JPEG type 1) or "yuvj422p" (type 0). */
  pixelFormat: "yuvj420p" | "yuvj422p";
  /** Slices make ffmpeg's encoder write restart markers (types 64 and 65). */
  restartMarkers?: boolean;
  frames?: number;
  size?: string;
}

/**
 * An MJPEG AVI that RFC 2435 can carry: standard Huffman tables (ffmpeg's
 * `-huffman default`, libjpeg's own), so that what a receiver rebuilds is the same image.
 */
export async function makeRtpClip(dir: string, options: RtpClipOptions): Promise<string> {
  const path = `${dir}/rtp-${options.pixelFormat}${options.restartMarkers ? "-rst" : ""}.avi`;
  const [width, height] = (options.size ?? "320x240").split("x");
  if (options.pixelFormat === "yuvj422p") {
    // ffmpeg's 4:2:2 JPEG samples luma 2x2 and chroma 1x2, which RFC 2435
    // cannot carry (its type 0 is 2x1 and 1x1, libjpeg's): GStreamer's jpegenc makes it.
    await run("gst-launch-1.0", [
      "-q",
      "videotestsrc",
      `num-buffers=${options.frames ?? 10}`,
      "!",
      `video/x-raw,format=Y42B,width=${width},height=${height},framerate=30/1`,
      "!",
      "jpegenc",
      "quality=85",
      "!",
      "avimux",
      "!",
      "filesink",
      `location=${path}`,
    ]);
    return path;
  }
  const threads = options.restartMarkers ? ["-threads", "2", "-slices", "2"] : ["-threads", "1"];
  await run("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${options.size ?? "320x240"}:rate=30`,
    "-frames:v",
    String(options.frames ?? 10),
    "-pix_fmt",
    options.pixelFormat,
    "-c:v",
    "mjpeg",
    "-huffman",
    "default",
    "-q:v",
    "5",
    ...threads,
    path,
  ]);
  return path;
}

/** Each decoded frame's MD5 (ffmpeg's `framemd5`), of a clip or of JPEGs one after another. */
export async function frameMd5s(path: string, format?: string): Promise<string[]> {
  const out = await run("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    ...(format === undefined ? [] : ["-f", format]),
    "-i",
    path,
    "-f",
    "framemd5",
    "-",
  ]);
  return out.split("\n").filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.split(",").at(-1)!.trim());
}

/** The RTP packets `program` sends to a port of ours, in the order they came, until it exits. */
export async function captureRtp(
  program: "gstreamer" | "ffmpeg",
  clip: string,
): Promise<Uint8Array[]> {
  const port = freeUdpPort();
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port });
  const packets: Uint8Array[] = [];
  let open = true;
  const receiving = (async () => {
    const buffer = new Uint8Array(65_536);
    while (open) {
      try {
        const [datagram] = await socket.receive(buffer);
        packets.push(datagram.slice());
      } catch {
        return;
      }
    }
  })();
  try {
    const out = await rtpSender(program, clip, "127.0.0.1", port).status;
    if (!out.success) throw new Error(`${program} failed to send ${clip}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    open = false;
    socket.close();
    await receiving;
  }
  return packets;
}

/** `program` sending `clip` once, at its own pace, as RTP/JPEG to `host`:`port`. */
export function rtpSender(
  program: "gstreamer" | "ffmpeg",
  clip: string,
  host: string,
  port: number,
): Deno.ChildProcess {
  const args = program === "gstreamer"
    ? gstSenderArgs(clip, port).map((arg) => arg === "host=127.0.0.1" ? `host=${host}` : arg)
    : ffmpegRtpArgs(clip, `rtp://${host}:${port}`);
  return new Deno.Command(program === "gstreamer" ? "gst-launch-1.0" : "ffmpeg", {
    args,
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** ffmpeg's arguments to send `clip` as RTP/JPEG to `url`, `extra` before it (its muxer's options). */
export function ffmpegRtpArgs(clip: string, url: string, extra: string[] = []): string[] {
  return [
    "-hide_banner",
    "-loglevel",
    "error",
    "-re",
    "-i",
    clip,
    "-c:v",
    "copy",
    "-f",
    "rtp",
    "-pkt_size",
    "1200",
    ...extra,
    url,
  ];
}

async function run(program: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${program} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** The JPEGs of `clip`, passed through. */
export async function clipJpegs(clip: string, dir: string): Promise<Uint8Array[]> {
  const out = `${dir}/jpegs`;
  await Deno.mkdir(out, { recursive: true });
  await run("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-i",
    clip,
    "-c",
    "copy",
    "-f",
    "image2",
    `${out}/%03d.jpg`,
  ]);
  const names = [...Deno.readDirSync(out)].map((entry) => entry.name).sort();
  return await Promise.all(names.map((name) => Deno.readFile(`${out}/${name}`)));
}

/** Options for {@linkcode peerDecodes}. */
export interface PeerOptions {
  port: number;
  /** A scratch folder. */
  dir: string;
  /** The SDP's text, written for ffmpeg; or, with `sdpFile`, ignored. */
  sdp: string;
  /** The SDP the sender writes: the peer starts once it exists. */
  sdpFile?: string;
  /** ffmpeg stops at the first error in the stream (`-xerror`, `-err_detect explode`). */
  strict?: boolean;
  size?: { width: number; height: number };
}

/**
 * Frames a peer receiving RTP/JPEG on 127.0.0.1:`port` decodes while `send`
 * runs, as ffmpeg's MD5s of them: ffmpeg through the SDP, or GStreamer's
 * `udpsrc ! rtpjpegdepay` writing each JPEG it rebuilds.
 */
export async function peerDecodes(
  program: "ffmpeg" | "gstreamer",
  options: PeerOptions,
  send: (stop: AbortSignal) => Promise<void>,
): Promise<string[]> {
  const { port, dir } = options;
  const out = `${dir}/${program}-out`;
  await Deno.mkdir(out, { recursive: true });
  const stop = new AbortController();
  let sdpPath = options.sdpFile;
  let sending: Promise<void> | undefined;
  if (sdpPath === undefined) {
    sdpPath = `${dir}/stream.sdp`;
    await Deno.writeTextFile(sdpPath, options.sdp);
  } else {
    sending = send(stop.signal);
    for (let i = 0; i < 200 && !(await exists(sdpPath)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const dimensions = options.size !== undefined && options.size.width > 2040
    ? `,x-dimensions=(string)"${options.size.width},${options.size.height}"`
    : "";
  const strict = options.strict ? ["-xerror", "-err_detect", "explode"] : [];
  const child = program === "ffmpeg"
    ? new Deno.Command("ffmpeg", {
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        ...strict,
        "-protocol_whitelist",
        "file,udp,rtp",
        "-i",
        sdpPath,
        "-frames:v",
        "6",
        ...(options.strict ? ["-f", "framemd5", `${out}/decoded.txt`] : [
          "-c",
          "copy",
          "-f",
          "image2",
          `${out}/%03d.jpg`,
        ]),
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn()
    : new Deno.Command("gst-launch-1.0", {
      args: [
        "-q",
        "udpsrc",
        "address=127.0.0.1",
        `port=${port}`,
        `caps=application/x-rtp,media=(string)video,clock-rate=(int)90000,encoding-name=(string)JPEG,payload=(int)26${dimensions}`,
        "!",
        "rtpjpegdepay",
        "!",
        "multifilesink",
        `location=${out}/%03d.jpg`,
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
  // The peer's socket is bound before the first packet goes.
  await new Promise((resolve) => setTimeout(resolve, 700));
  sending ??= send(stop.signal);
  // ffmpeg ends after 6 frames; GStreamer's are counted as it writes them.
  const ended = program === "ffmpeg"
    ? await Promise.race([child.status, new Promise((resolve) => setTimeout(resolve, 10_000))])
    : await waitForFiles(out, 6, 10_000);
  stop.abort();
  await sending;
  if (ended === undefined || program === "gstreamer") {
    try {
      child.kill("SIGINT");
    } catch {
      // Done.
    }
  }
  await child.output();
  if (options.strict) {
    const text = await Deno.readTextFile(`${out}/decoded.txt`).catch(() => "");
    return text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  }
  const names = [...Deno.readDirSync(out)].map((entry) => entry.name).sort();
  const md5s: string[] = [];
  for (const name of names) md5s.push(...await frameMd5s(`${out}/${name}`));
  return md5s;
}

/** Waits until `dir` holds `count` files, or `ms` have passed. */
async function waitForFiles(dir: string, count: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while ([...Deno.readDirSync(dir)].length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
