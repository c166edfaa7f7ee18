import { installHint } from "./install_hint.ts";
import { ffmpegOutput } from "./ffmpeg_process.ts";
import { SourceError } from "./source_error.ts";

/**
 * Which ffmpeg is run, as its `-version` says: what arguments it takes is
 * told by its libavformat version, since builds from git and static builds
 * name no release (`N-47683-g0e8eb07980-static`).
 */
export interface FfmpegBuild {
  /** What follows "ffmpeg version", such as `5.1.9-0+deb12u1` or `N-47683-g0e8eb07980-static`. */
  version: string;
  /** libavformat's major and minor version, such as `[59, 27]`. */
  libavformat: [number, number];
}

/** An ffmpeg older than {@linkcode OLDEST_FFMPEG}; the message is one line, with how to get a newer one. */
export class FfmpegTooOldError extends SourceError {
  override name = "FfmpegTooOldError";
}

/** A release of ffmpeg and the libavformat it shipped with. */
interface Release {
  name: string;
  libavformat: [number, number];
}

/** The oldest ffmpeg udpcam runs with, and is tested with. */
export const OLDEST_FFMPEG: Release = { name: "4.1", libavformat: [58, 20] };

/** The first ffmpeg with `-fps_mode`, which replaced `-vsync`. */
const FPS_MODE: Release = { name: "5.1", libavformat: [59, 27] };

/** Releases by libavformat, newest first: to name the release a build is at least. */
const RELEASES: Release[] = [
  { name: "7.0", libavformat: [61, 1] },
  { name: "6.0", libavformat: [60, 3] },
  FPS_MODE,
  { name: "5.0", libavformat: [59, 16] },
  { name: "4.4", libavformat: [58, 76] },
  { name: "4.3", libavformat: [58, 45] },
  { name: "4.2", libavformat: [58, 29] },
  OLDEST_FFMPEG,
  { name: "4.0", libavformat: [58, 12] },
  { name: "3.4", libavformat: [57, 83] },
];

const VERSION_LINE = /^ffmpeg version (\S+)/m;
const LIBAVFORMAT_LINE = /^libavformat\s+(\d+)\.\s*(\d+)\./m;

/**
 * Reads what `ffmpeg -version` printed.
 *
 * @param output Its standard output.
 * @returns The build, or undefined if the output does not say both lines.
 */
export function parseFfmpegBuild(output: string): FfmpegBuild | undefined {
  const version = VERSION_LINE.exec(output)?.[1];
  const lib = LIBAVFORMAT_LINE.exec(output);
  if (version === undefined || lib === null) return undefined;
  return { version, libavformat: [Number(lib[1]), Number(lib[2])] };
}

function atLeast(build: FfmpegBuild, release: Release): boolean {
  const [major, minor] = build.libavformat;
  const [wantMajor, wantMinor] = release.libavformat;
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

/**
 * The build in words, with the release it matches when its name is not one:
 * `5.1.9-0+deb12u1`, or `N-47683-g0e8eb07980-static (as ffmpeg 4.1)`.
 */
export function describeFfmpegBuild(build: FfmpegBuild): string {
  if (/^n?\d+\.\d+/.test(build.version)) return build.version;
  const release = RELEASES.find((r) => atLeast(build, r));
  return release === undefined ? build.version : `${build.version} (as ffmpeg ${release.name})`;
}

/**
 * The output option that passes frames through with their own timing, never
 * duplicating or dropping one: `-fps_mode passthrough` from ffmpeg 5.1 on,
 * `-vsync passthrough` before. With no build known, the newest form.
 */
export function passthroughArgs(build: FfmpegBuild | undefined): string[] {
  return build === undefined || atLeast(build, FPS_MODE)
    ? ["-fps_mode", "passthrough"]
    : ["-vsync", "passthrough"];
}

/**
 * Asks an ffmpeg which build it is (`ffmpeg -version`, once at start) and
 * makes sure it is not older than {@linkcode OLDEST_FFMPEG}.
 *
 * @param ffmpeg The program, a path or a name on the PATH.
 * @param os Whose install command an error names. @default {Deno.build.os}
 * @returns The build; undefined if its output could not be read (then the
 *   newest arguments are used, and ffmpeg's own error says what it lacks).
 * @throws {FfmpegNotFoundError} If the program cannot be found.
 * @throws {SourceError} If it cannot be run; the message is one line.
 * @throws {FfmpegTooOldError} If it is older than {@linkcode OLDEST_FFMPEG}.
 */
export async function probeFfmpegBuild(
  ffmpeg: string,
  os: typeof Deno.build.os = Deno.build.os,
): Promise<FfmpegBuild | undefined> {
  const { stdout } = await ffmpegOutput(ffmpeg, ["-version"], os);
  const build = parseFfmpegBuild(stdout);
  if (build !== undefined && !atLeast(build, OLDEST_FFMPEG)) {
    throw new FfmpegTooOldError(
      `the ffmpeg at "${ffmpeg}" is ${describeFfmpegBuild(build)}, and udpcam needs ` +
        `${OLDEST_FFMPEG.name} or newer: install one with ${installHint(os)}, ` +
        "or pass a newer one with --ffmpeg PATH",
    );
  }
  return build;
}
