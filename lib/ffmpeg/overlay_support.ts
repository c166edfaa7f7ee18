import { ffmpegOutput } from "./ffmpeg_process.ts";
import { SourceError } from "./source_error.ts";

/** A line of `ffmpeg -filters` that lists drawtext: flags, the name, then its pads. */
const DRAWTEXT_LINE = /^\s*\S+\s+drawtext\s/m;

/**
 * Whether an ffmpeg's `-filters` list has the drawtext filter (ffmpeg built
 * with libfreetype).
 *
 * @param filters The output of `ffmpeg -hide_banner -filters`.
 * @returns True when drawtext is listed.
 */
export function listsDrawtext(filters: string): boolean {
  return DRAWTEXT_LINE.test(filters);
}

/**
 * Makes sure an ffmpeg can draw `--overlay` text, before it is started for
 * frames: asks it for its filters and looks for drawtext.
 *
 * @param ffmpeg The ffmpeg program, a path or a name on the PATH.
 * @throws {FfmpegNotFoundError} If the program cannot be found.
 * @throws {SourceError} If it cannot be run or has no drawtext filter; the message is one line.
 */
export async function checkOverlaySupport(ffmpeg: string): Promise<void> {
  const { stdout } = await ffmpegOutput(ffmpeg, ["-filters"]);
  if (!listsDrawtext(stdout)) {
    throw new SourceError(
      `--overlay needs ffmpeg's drawtext filter, and the ffmpeg at "${ffmpeg}" has none ` +
        "(it was built without libfreetype): install a full ffmpeg build, or drop --overlay",
    );
  }
}
