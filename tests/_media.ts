/**
 * Test media made with ffmpeg: MJPEG clips with camera-like noise, and the
 * frames they hold.
 *
 * @module
 */
import { JpegSplitter } from "../lib/capture/jpeg_splitter.ts";

/** What clip to make. */
export interface ClipOptions {
  width: number;
  height: number;
  fps: number;
  seconds: number;
  /** ffmpeg's noise strength; 0 for none. */
  noise: number;
  /** ffmpeg's mjpeg -q:v, 2 (best) to 31. */
  qscale: number;
}

/** Camera-like 720p frames: about 47 KB, about 40 datagrams each. */
export const CAMERA_720P: ClipOptions = {
  width: 1280,
  height: 720,
  fps: 30,
  seconds: 2,
  noise: 10,
  qscale: 9,
};

/** Makes an MJPEG-in-AVI clip of the testsrc2 pattern and returns its path. */
export async function makeClip(dir: string, options: ClipOptions): Promise<string> {
  const { width, height, fps, seconds, noise, qscale } = options;
  const path = `${dir}/clip-${width}x${height}-${fps}-n${noise}-q${qscale}.avi`;
  const filter = `testsrc2=size=${width}x${height}:rate=${fps}` +
    (noise > 0 ? `,noise=alls=${noise}:allf=t` : "");
  const { code, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      filter,
      "-t",
      String(seconds),
      "-c:v",
      "mjpeg",
      "-q:v",
      String(qscale),
      "-pix_fmt",
      "yuvj420p",
      path,
    ],
    stdin: "null",
  }).output();
  if (code !== 0) throw new Error(`ffmpeg failed: ${new TextDecoder().decode(stderr)}`);
  return path;
}

/** The JPEG frames stored in a clip, as ffmpeg copies them out. */
export async function clipFrames(path: string): Promise<Uint8Array[]> {
  const child = new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-i",
      path,
      "-c:v",
      "copy",
      "-f",
      "mjpeg",
      "pipe:1",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const frames: Uint8Array[] = [];
  for await (const frame of child.stdout.pipeThrough(new JpegSplitter())) {
    frames.push(frame.slice());
  }
  await child.status;
  return frames;
}

/**
 * Makes a 640x360 H.264 MP4 of `seconds` (2 unless told) at `path`, as a
 * phone or a camera app saves one, with this machine's ffmpeg.
 */
export async function makeMp4(path: string, seconds = 2): Promise<void> {
  const { code, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-f", "lavfi"],
      ...["-i", "testsrc2=size=640x360:rate=30", "-t", String(seconds)],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path],
    ],
  }).output();
  if (code !== 0) {
    throw new Error(`ffmpeg could not make ${path}: ${new TextDecoder().decode(stderr)}`);
  }
}

/** A SHA-256 of the bytes, in hex. */
export async function digest(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Makes a clip in a temporary folder, runs `fn` with its path, then removes the folder. */
export async function withClip<T>(
  options: ClipOptions,
  fn: (clip: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await fn(await makeClip(dir, options));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
