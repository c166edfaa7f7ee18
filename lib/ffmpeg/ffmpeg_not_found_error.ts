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
 * The ffmpeg program could not be found. The message says how to install it, for example:
 * `ffmpeg not found at "ffmpeg": install it with brew install ffmpeg, or pass --ffmpeg PATH`.
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
      `ffmpeg not found at "${path}": install it with ${installHint(os)}, or pass --ffmpeg PATH`,
      errorOptions,
    );
    this.name = "FfmpegNotFoundError";
    this.path = path;
  }
}
