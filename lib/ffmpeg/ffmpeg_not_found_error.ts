import { installHint } from "./install_hint.ts";

/** Options for {@linkcode FfmpegNotFoundError}. */
export interface FfmpegNotFoundErrorOptions extends ErrorOptions {
  /**
   * The operating system whose install command goes in the message.
   *
   * @default {Deno.build.os}
   */
  os?: typeof Deno.build.os;
}

/**
 * The ffmpeg program could not be found. The message says how to install it, and for a path the
 * user gave (`--ffmpeg` or `FFMPEG`) that the path is the thing to fix, for example:
 * `ffmpeg not found on the PATH: install it with brew install ffmpeg, or pass --ffmpeg PATH`.
 */
export class FfmpegNotFoundError extends Error {
  /** The path or name that was tried. */
  readonly path: string;

  /**
   * Makes the error.
   *
   * @param path The path or name that was tried.
   * @param options The operating system for the install hint, and the cause.
   */
  constructor(path: string, options: FfmpegNotFoundErrorOptions = {}) {
    const { os = Deno.build.os, ...errorOptions } = options;
    super(
      path === "ffmpeg"
        ? `ffmpeg not found on the PATH: install it with ${installHint(os)}, or pass --ffmpeg PATH`
        : `ffmpeg not found at "${path}": correct that path (--ffmpeg or FFMPEG), or install ` +
          `ffmpeg with ${installHint(os)} and leave both out`,
      errorOptions,
    );
    this.name = "FfmpegNotFoundError";
    this.path = path;
  }
}
