import { clipFrames, makeClip } from "../../tests/_media.ts";
import type { FrameSize } from "./bench_args.ts";

/** A clip to stream, and the mean size of its frames. */
export interface BenchClip {
  size: FrameSize;
  /** The clip's path. */
  path: string;
  /** The mean JPEG size, in bytes. */
  meanFrameBytes: number;
}

/** Frames a second, as a webcam. */
export const CLIP_FPS = 30;
/** Seconds of clip, played on a loop. */
export const CLIP_SECONDS = 4;
/** Temporal noise, so that frames vary and compress like a webcam's (about 47 KB at 720p). */
export const CLIP_NOISE = 10;
/** The mjpeg quantizer, 2 (best) to 31. */
export const CLIP_QSCALE = 9;

const CACHE = new URL("../../.bench/", import.meta.url);

/**
 * The camera-like MJPEG clip for `size`: made with ffmpeg the first time,
 * then taken from `.bench/`.
 */
export async function benchClip(size: FrameSize): Promise<BenchClip> {
  const options = {
    ...size,
    fps: CLIP_FPS,
    seconds: CLIP_SECONDS,
    noise: CLIP_NOISE,
    qscale: CLIP_QSCALE,
  };
  const dir = CACHE.pathname;
  await Deno.mkdir(dir, { recursive: true });
  const name = `clip-${size.width}x${size.height}-${CLIP_FPS}-n${CLIP_NOISE}-q${CLIP_QSCALE}.avi`;
  const path = `${dir}${name}`;
  if (!(await exists(path))) {
    // Made aside and moved in whole, so an interrupted run leaves no broken clip.
    const scratch = await Deno.makeTempDir({ dir });
    try {
      await Deno.rename(await makeClip(scratch, options), path);
    } finally {
      await Deno.remove(scratch, { recursive: true });
    }
  }
  const frames = await clipFrames(path);
  if (frames.length === 0) throw new Error(`no frames in ${path}`);
  const bytes = frames.reduce((sum, frame) => sum + frame.length, 0);
  return { size, path, meanFrameBytes: bytes / frames.length };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * `clip` played `times` over end to end in one file, for a player that does
 * not loop a file (GStreamer's `filesrc`): the frames passed through by
 * ffmpeg, made the first time, then taken from `.bench/`.
 */
export async function loopedClip(clip: BenchClip, times: number): Promise<string> {
  const path = clip.path.replace(/\.avi$/, `-x${times}.avi`);
  if (await exists(path)) return path;
  const scratch = `${path}.part.avi`;
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-stream_loop",
      String(times - 1),
      "-i",
      clip.path,
      "-c",
      "copy",
      scratch,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`ffmpeg could not loop ${clip.path}: ${new TextDecoder().decode(out.stderr)}`);
  }
  // Moved in whole, so an interrupted run leaves no broken clip.
  await Deno.rename(scratch, path);
  return path;
}
