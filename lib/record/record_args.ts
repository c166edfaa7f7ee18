import { resolve } from "node:path";
import { type FfmpegBuild, passthroughArgs } from "../ffmpeg/ffmpeg_build.ts";
/** The containers `--record` writes, by file extension. */
export type RecordContainer = "mkv" | "avi" | "mjpeg";

/** Every container `--record` writes, as its extension. */
export const RECORD_CONTAINERS: readonly RecordContainer[] = ["mkv", "avi", "mjpeg"];

/** ffmpeg's muxer for each container. */
const MUXERS: Record<RecordContainer, string> = { mkv: "matroska", avi: "avi", mjpeg: "mjpeg" };

/**
 * Options per container. Matroska: a cluster closed at least every second, so
 * a file whose writer was killed loses at most that. AVI: no timestamps, only
 * a frame rate, so frames sit on a 100 fps grid (10 ms steps) where the gaps
 * are empty chunks; otherwise ffmpeg takes the grid from the input, 1000 fps
 * for a stream with any jitter.
 */
const CONTAINER_OPTIONS: Record<
  RecordContainer,
  { stream: string[]; muxer: Record<string, string> }
> = {
  mkv: { stream: [], muxer: { cluster_time_limit: "1000" } },
  avi: { stream: ["-r", "100"], muxer: {} },
  mjpeg: { stream: [], muxer: {} },
};

/** The container for `path`, from its extension (any case), or undefined for another. */
export function recordContainer(path: string): RecordContainer | undefined {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1].toLowerCase();
  return RECORD_CONTAINERS.find((container) => container === extension);
}

/**
 * How far the timestamps fed to ffmpeg jump where a new segment starts, in
 * ms: ffmpeg's segment muxer cuts at every multiple of this, and no segment
 * lasts as long (the longest `--record-segment` is 24 h), so it cuts exactly
 * where the recorder jumps and nowhere else. Under 30 h, the jump ffmpeg
 * takes for broken timestamps and drops (`-dts_error_threshold`).
 */
export const SEGMENT_SPAN_MS = 28 * 3600 * 1000;

/** Options for {@linkcode recordArgs}. */
export interface RecordArgsOptions {
  /**
   * Write a series of files named with the time each starts (see
   * {@linkcode segmentPattern}), cut where the input's timestamps reach the
   * next multiple of {@linkcode SEGMENT_SPAN_MS}.
   *
   * @default {false} one file, `path` itself
   */
  segments?: boolean;
  /**
   * The ffmpeg that will run, as `probeFfmpegBuild` found it: what its
   * arguments may be.
   *
   * @default {undefined} the newest ffmpeg's arguments
   */
  build?: FfmpegBuild;
}

/**
 * ffmpeg's arguments to record to `path`: a live Matroska stream of JPEGs on
 * stdin (see `matroska.ts`), copied (`-c copy`, never encoded again) into the
 * container `path`'s extension names, each frame at its own timestamp
 * (`-fps_mode passthrough`, or `-vsync` before ffmpeg 5.1: none repeated,
 * none dropped), every packet flushed
 * to the file as it is written.
 *
 * ffmpeg gets `path` as `file:` and an absolute path, so no name is ever
 * taken for one of its protocols (`pipe:1.mkv` would be stdout,
 * `http://host/x.mkv` an upload, `concat:a|b` a list), and never overwrites
 * a file (`-n`): the recorder has it create each file in a folder of its own,
 * then moves it to the name it claimed (see `record_folder.ts`).
 *
 * One file: `path` itself. Segments: ffmpeg's segment muxer cuts where the recorder
 * makes the timestamps jump (every JPEG is a keyframe, so any frame can start
 * a file), names each file with strftime when it opens it, starts each at
 * timestamp 0, and logs each file it opens (hence `-loglevel level+info`;
 * every line starts with its level, such as `[error]`). The recorder decides
 * where to cut rather than `-segment_atclocktime`, whose cuts race the clock
 * ffmpeg names files by and can give two files the same name.
 *
 * @throws {RangeError} If `path`'s extension is not one of {@linkcode RECORD_CONTAINERS}.
 */
export function recordArgs(path: string, options: RecordArgsOptions = {}): string[] {
  const { segments = false, build } = options;
  const container = recordContainer(path);
  if (container === undefined) {
    throw new RangeError(`Cannot record to "${path}": give a .mkv, .avi or .mjpeg file`);
  }
  const { stream, muxer } = CONTAINER_OPTIONS[container];
  const input = [
    "-n",
    "-hide_banner",
    "-nostats",
    "-loglevel",
    segments ? "level+info" : "level+error",
    // Write from the first frame on: the Matroska header says what ffmpeg needs,
    // and it would otherwise hold 20 frames back to guess a frame rate.
    "-probesize",
    "32",
    "-fpsprobesize",
    "0",
    "-f",
    "matroska",
    "-i",
    "pipe:0",
    "-map",
    "0:v:0",
    "-c",
    "copy",
    ...passthroughArgs(build),
    ...stream,
    "-flush_packets",
    "1",
  ];
  const absolute = resolve(path);
  if (!segments) {
    const muxerFlags = Object.entries(muxer).flatMap(([name, value]) => [`-${name}`, value]);
    return [...input, ...muxerFlags, "-f", MUXERS[container], `file:${absolute}`];
  }
  const segmentOptions = Object.entries({ flush_packets: "1", ...muxer })
    .map(([name, value]) => `${name}=${value}`);
  return [
    ...input,
    "-f",
    "segment",
    "-segment_format",
    MUXERS[container],
    "-segment_format_options",
    segmentOptions.join(":"),
    "-segment_time",
    String(SEGMENT_SPAN_MS / 1000),
    "-strftime",
    "1",
    "-reset_timestamps",
    "1",
    `file:${segmentPattern(absolute)}`,
  ];
}

/**
 * The strftime pattern ffmpeg names segments with: `cam.mkv` becomes
 * `cam-%Y%m%d-%H%M%S.mkv` (`cam-20261124-153000.mkv`), in the same folder;
 * a `%` in the name is kept as it is.
 */
export function segmentPattern(path: string): string {
  const { stem, extension } = splitExtension(path);
  return `${stem.replaceAll("%", "%%")}-%Y%m%d-%H%M%S${extension.replaceAll("%", "%%")}`;
}

/**
 * The name `path` gets with the local time `date` in it, as
 * {@linkcode segmentPattern} makes it: `cam.mkv` at 15:30:00 on 24 November
 * 2026 is `cam-20261124-153000.mkv`. With `suffix`, `cam-20261124-153000-2.mkv`.
 */
export function timestampedPath(path: string, date: Date, suffix?: number): string {
  const { stem, extension } = splitExtension(path);
  const two = (n: number) => String(n).padStart(2, "0");
  const stamp = `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-` +
    `${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`;
  return suffixedPath(`${stem}-${stamp}${extension}`, suffix);
}

/** `path` with `-suffix` before its extension (`cam-2.mkv`), or as it is for none or 1. */
export function suffixedPath(path: string, suffix?: number): string {
  if (suffix === undefined || suffix === 1) return path;
  const { stem, extension } = splitExtension(path);
  return `${stem}-${suffix}${extension}`;
}

function splitExtension(path: string): { stem: string; extension: string } {
  const match = /^(.*[^/\\])(\.[^./\\]+)$/.exec(path);
  return match === null ? { stem: path, extension: "" } : { stem: match[1], extension: match[2] };
}
