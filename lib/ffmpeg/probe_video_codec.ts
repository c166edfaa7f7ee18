import { ffmpegStartError, killQuietly } from "./ffmpeg_process.ts";

/**
 * The codec of the first video stream ffmpeg finds in an input, as ffmpeg
 * names it (`mjpeg`, `h264`, ...): ffmpeg is run with the input alone, which
 * makes it describe the input and exit. `undefined` when it names none
 * within `timeoutMs` (a live stream that is slow to answer), when the input
 * cannot be opened (the source's own run says why), and so on.
 *
 * @param ffmpeg The ffmpeg program.
 * @param input The input's arguments, `-i` and what leads it.
 * @throws {FfmpegNotFoundError} If there is no such program.
 */
export async function probeVideoCodec(
  ffmpeg: string,
  input: string[],
  timeoutMs = 5000,
): Promise<string | undefined> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(ffmpeg, {
      args: ["-hide_banner", "-nostdin", ...input],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw ffmpegStartError(ffmpeg, error);
  }
  const timer = setTimeout(() => killQuietly(child, "SIGKILL"), timeoutMs);
  try {
    const { stderr } = await child.output();
    const found = /Stream #\d+:\d+.*?: Video: ([A-Za-z0-9_]+)/.exec(
      new TextDecoder().decode(stderr),
    );
    return found?.[1];
  } finally {
    clearTimeout(timer);
  }
}
