/**
 * The bench clip's frames played at another rate: the highest-rate rows
 * raise a clip's frame rate until a transport breaks.
 *
 * @module
 */
import type { BenchClip } from "./bench_clip.ts";

/**
 * Writes `frames` of `clip`'s JPEGs, the clip played over and over, as an
 * MJPEG AVI at `rate` frames a second, to a new file in `dir`; returns its path.
 * The frames pass through untouched: the raw MJPEG in between is what lets
 * ffmpeg (4.1 and newer) set a rate without re-encoding.
 */
export async function rateClip(
  clip: BenchClip,
  rate: number,
  frames: number,
  dir: string,
): Promise<string> {
  const raw = `${dir}/frames.mjpeg`;
  const path = `${dir}/clip-${clip.size.width}x${clip.size.height}-${rate}fps.avi`;
  await ffmpeg([
    "-stream_loop",
    "-1",
    "-i",
    clip.path,
    "-frames:v",
    String(frames),
    "-c",
    "copy",
    "-f",
    "mjpeg",
    raw,
  ]);
  await ffmpeg(["-framerate", String(rate), "-f", "mjpeg", "-i", raw, "-c", "copy", path]);
  await Deno.remove(raw);
  return path;
}

async function ffmpeg(args: string[]): Promise<void> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-y", ...args],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`ffmpeg could not make a rate clip: ${new TextDecoder().decode(out.stderr)}`);
  }
}
