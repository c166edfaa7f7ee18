/**
 * The sender's source: the test pattern or ffmpeg as the arguments ask, started
 * with the arguments its build takes, and run again at another rung.
 *
 * @module
 */
import { type Rung } from "../adapt/rate_ladder.ts";
import { SourceError } from "../ffmpeg/source_error.ts";
import { drawtextFilter, drawtextFont } from "../overlay/drawtext_filter.ts";
import { ffmpegArgs, isHttp } from "../capture/ffmpeg_args.ts";
import { resolveFfmpegPath } from "../ffmpeg/ffmpeg_path.ts";
import { type FfmpegBuild, FfmpegTooOldError, probeFfmpegBuild } from "../ffmpeg/ffmpeg_build.ts";
import { FfmpegSource } from "../capture/ffmpeg_source.ts";
import type { FrameSource, SourceEvent } from "../capture/frame_source.ts";
import { listCameras, resolveCamera } from "../capture/camera_list.ts";
import { checkOverlaySupport } from "../ffmpeg/overlay_support.ts";
import { probeVideoCodec } from "../ffmpeg/probe_video_codec.ts";
import type { SenderArgs } from "./sender_args.ts";
import { formatSourceSpec, type SourceSpec } from "../capture/source_spec.ts";
import { TestPatternSource } from "../capture/test_pattern.ts";

/**
 * The `--overlay` as ffmpeg's drawtext filter, for a source ffmpeg reads; the
 * test pattern draws its overlay itself.
 */
export function overlayFilter(args: SenderArgs): string | undefined {
  if (args.overlay === undefined || args.spec.kind === "test") return undefined;
  const { parts, position } = args.overlay;
  return drawtextFilter({ parts, position, host: args.host, font: drawtextFont() });
}

/** What a rung is applied with. */
export interface RungChange {
  /** The rung now shared. */
  rung: Rung;
  /** The width of the source's first frame, what width scales apply to. */
  baseWidth: number;
  /** The overlay's drawtext filter, kept through the change. */
  overlay: string | undefined;
  /** The ffmpeg's build: what its arguments may be. */
  build: FfmpegBuild | undefined;
}

/**
 * Makes the source encode at a rung's quality and width: the test pattern
 * draws at the new size, ffmpeg is run again with new arguments (a file
 * resumes where it was). A source passed through as it is (`--copy`) keeps
 * its frames: only the fps rungs apply to it.
 */
export async function applyRung(
  source: FrameSource,
  args: SenderArgs,
  change: RungChange,
): Promise<void> {
  const { rung, baseWidth, overlay, build } = change;
  const width = Math.max(16, Math.round((baseWidth * rung.widthScale) / 2) * 2);
  if (source instanceof TestPatternSource) {
    source.configure({ width, height: testHeight(width), quality: rung.quality });
  } else if (source instanceof FfmpegSource && !args.copy) {
    const position = source.position;
    const spec = source.spec;
    await source.restart(ffmpegArgs(spec, {
      os: Deno.build.os,
      width: rung.widthScale < 1 ? width : args.width,
      fps: args.fps,
      quality: rung.quality,
      overlay,
      loop: args.loop,
      startSeconds: position,
      build,
      standardHuffman: args.rtp !== undefined || args.rtsp !== undefined,
    }));
  }
}

function testHeight(width: number): number {
  return Math.round((width * 9) / 16 / 2) * 2;
}

/** The built-in test pattern as the arguments ask for it; its worker starts at once. */
export function openTestPattern(args: SenderArgs): TestPatternSource {
  const width = args.width ?? 640;
  return new TestPatternSource({
    width,
    height: testHeight(width),
    fps: args.fps ?? 30,
    quality: args.quality,
    overlay: args.overlay === undefined ? undefined : {
      parts: args.overlay.parts,
      position: args.overlay.position,
      host: args.host,
    },
  });
}

/**
 * Opens the source the arguments name, with the overlay's drawtext filter for
 * ffmpeg; the test pattern is made beforehand, see
 * {@linkcode openTestPattern}, and runs no ffmpeg. ffmpeg starts with the
 * newest ffmpeg's arguments; only if it exits before its first frame is it
 * asked which build it is (`ffmpeg -version`, about 0.1 s), and run again
 * with that build's arguments when they differ (`-vsync` before 5.1), or
 * refused in one line when older than 4.1. `build` gives the build once
 * known, for the arguments of later restarts.
 */
export async function openSource(
  args: SenderArgs,
  overlay: string | undefined,
  testPattern: TestPatternSource | undefined,
  onEvent: (event: SourceEvent) => void,
): Promise<OpenedSource> {
  const { spec } = args;
  if (testPattern !== undefined) {
    onEvent({ type: "source_started", source: "test", detail: "built-in test pattern" });
    return { source: testPattern, build: () => undefined, refusal: Promise.resolve(undefined) };
  }
  const ffmpeg = resolveFfmpegPath(args.ffmpeg, Deno.env.get("FFMPEG"));
  if (overlay !== undefined) await checkOverlaySupport(ffmpeg);
  const resolved = await nameWindowsCamera(spec, ffmpeg);
  let build: FfmpegBuild | undefined;
  const options = {
    os: Deno.build.os,
    width: args.width,
    fps: args.fps,
    quality: args.quality,
    overlay,
    loop: args.loop,
    copy: args.copy,
    standardHuffman: args.rtp !== undefined || args.rtsp !== undefined,
  };
  const newest = ffmpegArgs(resolved, options);
  const source = new FfmpegSource({
    ffmpeg,
    spec: resolved,
    args: newest,
    fallback: async () => {
      build = await probeFfmpegBuild(ffmpeg);
      const older = ffmpegArgs(resolved, { ...options, build });
      const same = older.length === newest.length && older.every((arg, i) => arg === newest[i]);
      return same ? undefined : older;
    },
    // A camera, a live stream or a file on a loop is worth starting again; a
    // file, local or over HTTP, played once ends.
    retry: spec.kind === "camera" || (spec.kind === "url" && !isHttp(spec.url)) || args.loop,
    onEvent,
  });
  return { source, build: () => build, refusal: refuseNonMjpeg(ffmpeg, resolved, args.copy) };
}

/** A source opened, with the ffmpeg build once known and why it cannot go on as asked, if so. */
export interface OpenedSource {
  source: FrameSource;
  build: () => FfmpegBuild | undefined;
  /**
   * Resolves, soon after the start, with a one-line error when the source
   * cannot be sent as asked (`--copy` of a video that is not MJPEG), else
   * with `undefined`.
   */
  refusal: Promise<SourceError | undefined>;
}

/**
 * With `--copy` of a file: asks ffmpeg for the video's codec beside
 * the source's own run (no wait added to the start), and refuses one that is
 * not MJPEG, whose frames the sender would never find (ffmpeg copies them
 * out all the same). A camera with `--copy` is asked for MJPEG by ffmpeg's
 * own arguments.
 */
async function refuseNonMjpeg(
  ffmpeg: string,
  spec: SourceSpec,
  copy: boolean,
): Promise<SourceError | undefined> {
  // Files only: a URL (a camera's MJPEG over HTTP) may take one client alone.
  if (!copy || spec.kind !== "file") return undefined;
  const codec = await probeVideoCodec(ffmpeg, ["-i", spec.path]).catch(() => undefined);
  if (codec === undefined || codec === "mjpeg") return undefined;
  return new SourceError(
    `--copy passes MJPEG frames through, and ${formatSourceSpec(spec)} is ${codec}: ` +
      "drop --copy, and the sender encodes JPEG from it",
  );
}

/** DirectShow has no default camera and wants names: pick one from ffmpeg's list. */
async function nameWindowsCamera(spec: SourceSpec, ffmpeg: string): Promise<SourceSpec> {
  if (spec.kind !== "camera" || Deno.build.os !== "windows") return spec;
  const cameras = await listCameras({ ffmpeg, os: Deno.build.os });
  try {
    return { kind: "camera", device: resolveCamera(cameras, spec.device).name };
  } catch (error) {
    throw new SourceError(`${(error as Error).message}; see --list-cameras`);
  }
}

/** A camera that cannot start gets the hint of what to try; other errors pass as they are. */
export function cameraHint(error: unknown, args: SenderArgs): unknown {
  if (
    error instanceof SourceError && !(error instanceof FfmpegTooOldError) &&
    args.spec.kind === "camera"
  ) {
    return new SourceError(
      `${error.message}; is the camera connected? See sender --list-cameras, or try --source test`,
    );
  }
  return error;
}
