import { type FfmpegBuild, passthroughArgs } from "../ffmpeg/ffmpeg_build.ts";
import type { SourceSpec } from "./source_spec.ts";

/** Options for {@linkcode ffmpegArgs}. */
export interface FfmpegArgsOptions {
  /** The operating system ffmpeg runs on; it picks the camera input (v4l2, dshow, avfoundation). */
  os: typeof Deno.build.os;
  /**
   * Largest output width in pixels; the height follows the aspect ratio and a smaller source is
   * never upscaled.
   *
   * @default {undefined} the source width
   */
  width?: number;
  /**
   * Largest output frame rate. A slower source keeps its rate and no frame is ever duplicated.
   *
   * @default {undefined} the source rate
   */
  fps?: number;
  /** JPEG quality from 1 (smallest) to 100 (best), mapped to the mjpeg quantizer by {@linkcode jpegQuantizer}. */
  quality: number;
  /**
   * Play a file again from the start when it ends.
   *
   * @default {false}
   */
  loop?: boolean;
  /**
   * Pass the source's own JPEG frames through without decoding them; needs an MJPEG source and
   * rules out `width` and `fps`.
   *
   * @default {false}
   */
  copy?: boolean;
  /**
   * A filter drawn on every frame after scaling, such as the `--overlay` text from
   * `drawtextFilter()`, escaped for a filter graph; rules out `copy`.
   *
   * @default {undefined} none
   */
  overlay?: string;
  /**
   * Start a file this many seconds in (to resume after a restart); ignored for cameras, live
   * streams and looped files.
   *
   * @default {0}
   */
  startSeconds?: number;
  /**
   * The ffmpeg that will run, as `probeFfmpegBuild` found it: what
   * its arguments may be.
   *
   * @default {undefined} the newest ffmpeg's arguments
   */
  build?: FfmpegBuild;
  /**
   * Encode with the standard Huffman tables (`-huffman default`), which
   * RTP/JPEG (RFC 2435) assumes and cannot carry; ffmpeg optimises them otherwise.
   *
   * @default {false}
   */
  standardHuffman?: boolean;
}

/** Frames may come up to this fraction of the frame interval early and still count as on time. */
const FPS_TOLERANCE = 0.1;
/** A timestamp this many seconds before the next slot means the source started over. */
const FPS_RESET_SECONDS = 1;
const QUANTIZER_BEST = 2;
const QUANTIZER_WORST = 31;

/**
 * Builds the ffmpeg arguments (without the program name) that read a source and write MJPEG, one
 * whole JPEG after another, to stdout, in the arguments of the ffmpeg
 * `options.build` (4.1 or newer; `-vsync` where `-fps_mode` is missing).
 *
 * @example
 * ```ts
 * ffmpegArgs({ kind: "camera", device: "2" }, { os: "linux", quality: 80 });
 * // ["-hide_banner", "-loglevel", "error", "-nostdin", "-nostats", "-f", "v4l2",
 * //  "-i", "/dev/video2", "-an", "-pix_fmt", "yuvj420p", "-c:v", "mjpeg", "-q:v", "8",
 * //  "-fps_mode", "passthrough", "-f", "mjpeg", "-flush_packets", "1", "pipe:1"]
 * ```
 *
 * @param spec The source; a Windows camera must already carry its device name (see `listCameras`).
 * @param options Output size, rate and quality.
 * @returns The argument array for `Deno.Command`.
 * @throws {TypeError} For the test source, a Windows camera without a name, or `copy` with
 * `width`, `fps`, `overlay` or an avfoundation camera.
 * @throws {RangeError} For a quality, width or fps out of range.
 */
export function ffmpegArgs(spec: SourceSpec, options: FfmpegArgsOptions): string[] {
  const {
    os,
    width,
    fps,
    quality,
    overlay,
    loop = false,
    copy = false,
    startSeconds = 0,
    build,
    standardHuffman = false,
  } = options;
  const seek = startSeconds > 0 && !loop ? ["-ss", startSeconds.toFixed(3)] : [];
  const q = jpegQuantizer(quality);
  if (width !== undefined && !(Number.isInteger(width) && width > 0)) {
    throw new RangeError(`Width must be a positive whole number of pixels, got ${width}`);
  }
  if (fps !== undefined && !(Number.isFinite(fps) && fps > 0)) {
    throw new RangeError(`Frame rate must be a positive number, got ${fps}`);
  }
  if (copy && (width !== undefined || fps !== undefined)) {
    throw new TypeError(
      "Copy passes frames through as they are: it cannot be combined with width or fps",
    );
  }
  if (copy && overlay !== undefined) {
    throw new TypeError(
      "Copy passes frames through without decoding them: it cannot draw an overlay",
    );
  }

  const args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-nostats"];
  switch (spec.kind) {
    case "camera":
      args.push(...cameraInputArgs(spec.device, { os, copy }));
      break;
    case "file":
      args.push("-re", ...seek);
      if (loop) args.push("-stream_loop", "-1");
      args.push("-i", spec.path);
      break;
    case "url":
      // A file over HTTP plays at real-time speed like a local one; a live
      // stream (RTSP, UDP, SRT, RTMP) comes at its own pace already.
      if (isHttp(spec.url)) args.push("-re", ...seek);
      if (loop) args.push("-stream_loop", "-1");
      args.push("-i", spec.url);
      break;
    case "test":
      throw new TypeError("The test source is built in and does not run ffmpeg");
  }

  args.push("-an");
  if (copy) {
    args.push("-c:v", "copy");
  } else {
    const filters: string[] = [];
    if (fps !== undefined) filters.push(`select='${fpsCapExpression(fps)}'`);
    if (width !== undefined) filters.push(`scale='min(iw,${width})':-2`);
    if (overlay !== undefined) filters.push(overlay);
    if (filters.length > 0) args.push("-vf", filters.join(","));
    args.push("-pix_fmt", "yuvj420p", "-c:v", "mjpeg", "-q:v", String(q));
    // RTP/JPEG carries no Huffman tables: the standard ones, not ffmpeg's optimised ones.
    if (standardHuffman) args.push("-huffman", "default");
  }
  args.push(...passthroughArgs(build), "-f", "mjpeg", "-flush_packets", "1", "pipe:1");
  return args;
}

/**
 * Maps a JPEG quality from 1 to 100 linearly onto the mjpeg quantizer `-q:v`, where 2 is the best
 * and 31 the worst: `q = round(31 - (quality - 1) * 29 / 99)`. So 100 → 2, 90 → 5, 80 → 8,
 * 50 → 17 and 1 → 31.
 *
 * @param quality Whole number from 1 to 100.
 * @returns The quantizer, from 2 to 31.
 * @throws {RangeError} If the quality is not a whole number from 1 to 100.
 */
export function jpegQuantizer(quality: number): number {
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new RangeError(`Quality must be a whole number from 1 to 100, got ${quality}`);
  }
  const span = QUANTIZER_WORST - QUANTIZER_BEST;
  return Math.round(QUANTIZER_WORST - (quality - 1) * span / 99);
}

interface CameraInputOptions {
  os: typeof Deno.build.os;
  copy: boolean;
}

function cameraInputArgs(device: string | undefined, options: CameraInputOptions): string[] {
  // --fps is a cap applied by the select filter, not a rate asked of the camera:
  // a camera refuses a rate it does not list, and the cap must never fail to start.
  const { os, copy } = options;
  switch (os) {
    case "windows": {
      if (device === undefined) {
        throw new TypeError(
          "A Windows camera needs its device name: pick one from the camera list first",
        );
      }
      // Given before -i, -vcodec makes dshow ask the camera for its MJPEG stream.
      const codec = copy ? ["-vcodec", "mjpeg"] : [];
      return ["-f", "dshow", ...codec, "-i", `video=${device}`];
    }
    case "darwin":
      if (copy) {
        throw new TypeError("Copy needs an MJPEG camera, and avfoundation only gives raw frames");
      }
      // avfoundation needs a rate the camera lists; every camera lists 30.
      return ["-f", "avfoundation", "-framerate", "30", "-i", `${device ?? "0"}:none`];
    default: {
      const path = device === undefined
        ? "/dev/video0"
        : /^\d+$/.test(device)
        ? `/dev/video${device}`
        : device;
      const format = copy ? ["-input_format", "mjpeg"] : [];
      return ["-f", "v4l2", ...format, "-i", path];
    }
  }
}

/**
 * An ffmpeg `select` expression that caps the frame rate without ever duplicating a frame.
 *
 * Variable 0 holds the time of the next output slot, one interval `I = 1 / fps` after the last
 * one; variable 1 holds `d`, how late the frame is against that slot. A frame is kept when
 * `d >= -TOL` (on time, allowing jitter of a tenth of an interval) or when `d < -1 s`
 * (timestamps went back: start over). A kept frame moves the slot on by `I` while it is less
 * than an interval late, which holds the average at `fps` for any source rate (25 fps capped at
 * 10 gives 10, not 8.3); a later frame starts a new grid at its own time. A source at or under
 * the cap keeps every frame. Frames without a timestamp are all kept.
 */
function fpsCapExpression(fps: number): string {
  const interval = seconds(1 / fps);
  const tolerance = seconds(1 / fps * FPS_TOLERANCE);
  const d = "ld(1)";
  const onTime = `gte(${d},-${tolerance})`;
  const restarted = `lt(${d},-${FPS_RESET_SECONDS})`;
  const onGrid = `${onTime}*lt(${d},${interval})`;
  const keep = `st(0,if(${onGrid},ld(0),t)+${interval});1`;
  return `if(isnan(t),1,st(1,t-ld(0));if(${onTime}+${restarted},${keep},0))`;
}

/** A time in seconds for an ffmpeg expression, to 12 significant digits. */
function seconds(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/** Whether a URL is served over HTTP(S): a file to play, not a live stream. */
export function isHttp(url: string): boolean {
  return /^https?:/i.test(url);
}
