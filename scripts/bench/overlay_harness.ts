/**
 * The bench's in-process overlay route: ffmpeg decodes a clip to raw RGBA
 * frames, this process draws `--overlay` text onto each with the sender's own
 * {@linkcode OverlayPainter} (lib/image/draw_text.ts), and the frame is encoded as a
 * JPEG by imagescript here or by a second ffmpeg reading raw frames from a
 * pipe. After each JPEG it writes `{"frames":N}` on stdout. It runs until it
 * is sent SIGTERM or SIGINT, and stops its ffmpegs first.
 *
 *   deno run <the sender's permissions> scripts/bench/overlay_harness.ts \
 *     --clip clip.avi --size 1280x720 --encoder imagescript --overlay "{time}"
 *
 * @module
 */
import { Image, type JPEGQuality } from "imagescript";
import { parseArgs } from "node:util";
import { jpegQuantizer } from "../../lib/capture/ffmpeg_args.ts";
import { JpegSplitter } from "../../lib/capture/jpeg_splitter.ts";
import { DEFAULT_OVERLAY_POSITION } from "../../lib/overlay/overlay_layout.ts";
import { OverlayPainter } from "../../lib/overlay/overlay_painter.ts";
import { parseOverlayText } from "../../lib/overlay/overlay_text.ts";

/** Who encodes the JPEGs. */
export type HarnessEncoder = "imagescript" | "ffmpeg";

/** Options for {@linkcode runHarness}. */
export interface HarnessOptions {
  /** The clip, played at real-time speed on a loop. */
  clip: string;
  /** The clip's frame size. */
  width: number;
  height: number;
  /** The clip's frame rate, for the encoding ffmpeg. */
  fps: number;
  /** Who encodes the JPEGs. */
  encoder: HarnessEncoder;
  /** The overlay text, or none. */
  overlay?: string;
  /** JPEG quality, as the sender's `--quality`. @default {80} */
  quality?: number;
  /** Called with the count after each JPEG. */
  onFrame: (frames: number) => void;
  /** Stops the harness. */
  signal: AbortSignal;
}

const QUIET = ["-hide_banner", "-loglevel", "error", "-nostdin"];
/** How long the ffmpegs get to exit after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2_000;

/** Decodes, draws and encodes until `signal` aborts or the decoder ends. */
export async function runHarness(options: HarnessOptions): Promise<void> {
  const { clip, width, height, fps, encoder, signal, onFrame, quality = 80 } = options;
  const painter = options.overlay === undefined ? undefined : new OverlayPainter({
    parts: parseOverlayText(options.overlay),
    position: DEFAULT_OVERLAY_POSITION,
    host: Deno.hostname(),
    fps,
  });
  await painter?.prepare(height);
  const children: Deno.ChildProcess[] = [];
  /** Closes the encoding ffmpeg's input, if there is one. */
  let closeInput = () => {};
  const stop = (signal: Deno.Signal = "SIGTERM") => {
    closeInput();
    for (const child of children) {
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    }
  };
  const onAbort = () => stop();
  let counting: Promise<void> = Promise.resolve();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const decoder = new Deno.Command("ffmpeg", {
      args: [
        ...QUIET,
        ...["-re", "-stream_loop", "-1", "-i", clip, "-an"],
        ...["-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1"],
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    children.push(decoder);
    const image = new Image(width, height);
    let frames = 0;
    let encode: (bitmap: Uint8ClampedArray) => Promise<void>;
    if (encoder === "imagescript") {
      encode = async () => {
        await image.encodeJPEG(quality as JPEGQuality);
        onFrame(++frames);
      };
    } else {
      const jpegs = new Deno.Command("ffmpeg", {
        args: [
          ...QUIET,
          ...["-f", "rawvideo", "-pix_fmt", "rgba", "-s", `${width}x${height}`, "-r", String(fps)],
          ...["-i", "pipe:0", "-an", "-pix_fmt", "yuvj420p", "-c:v", "mjpeg"],
          ...[
            "-q:v",
            String(jpegQuantizer(quality)),
            "-f",
            "mjpeg",
            "-flush_packets",
            "1",
            "pipe:1",
          ],
        ],
        stdin: "piped",
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      children.push(jpegs);
      const writer = jpegs.stdin.getWriter();
      closeInput = () => void writer.abort().catch(() => {});
      encode = (bitmap) =>
        writer.write(new Uint8Array(bitmap.buffer, bitmap.byteOffset, bitmap.length));
      counting = (async () => {
        for await (const _ of jpegs.stdout.pipeThrough(new JpegSplitter())) onFrame(++frames);
      })();
    }
    try {
      for await (const raw of rawFrames(decoder.stdout, width * height * 4)) {
        if (signal.aborted) break;
        image.bitmap.set(raw);
        await painter?.draw(image, Date.now());
        await encode(image.bitmap);
      }
    } catch (error) {
      // Stopping closes the pipes under a frame in flight.
      if (!signal.aborted) throw error;
    }
  } finally {
    stop();
    signal.removeEventListener("abort", onAbort);
    const exited = Promise.all(children.map((child) => child.status));
    const timer = setTimeout(() => stop("SIGKILL"), KILL_GRACE_MS);
    await exited;
    clearTimeout(timer);
    await counting.catch(() => {});
  }
}

/**
 * Cuts a byte stream into frames of `frameBytes`. The same buffer is yielded
 * each time: a frame must be used before the next is asked for.
 */
async function* rawFrames(
  stream: ReadableStream<Uint8Array>,
  frameBytes: number,
): AsyncGenerator<Uint8Array> {
  const frame = new Uint8Array(frameBytes);
  let filled = 0;
  for await (const chunk of stream) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(frameBytes - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === frameBytes) {
        yield frame;
        filled = 0;
      }
    }
  }
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      clip: { type: "string" },
      size: { type: "string" },
      fps: { type: "string" },
      encoder: { type: "string" },
      overlay: { type: "string" },
    },
  });
  const [width, height] = (values.size ?? "").split("x").map(Number);
  const encoder = values.encoder;
  if (values.clip === undefined || !(width > 0 && height > 0)) {
    throw new TypeError("Give --clip PATH and --size WxH");
  }
  if (encoder !== "imagescript" && encoder !== "ffmpeg") {
    throw new TypeError("Give --encoder imagescript or --encoder ffmpeg");
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  for (const name of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(name, onSignal);
  await runHarness({
    clip: values.clip,
    width,
    height,
    fps: Number(values.fps ?? 30),
    encoder,
    overlay: values.overlay,
    onFrame: (frames) => console.log(JSON.stringify({ frames })),
    signal: controller.signal,
  });
  Deno.exit(0);
}

if (import.meta.main) await main(Deno.args);
