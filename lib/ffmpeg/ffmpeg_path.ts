/**
 * Picks the ffmpeg program to run: the `--ffmpeg` flag, else the `FFMPEG` environment variable,
 * else `ffmpeg` from the PATH. Empty values count as unset.
 *
 * @param flag The value of the `--ffmpeg` flag, if given.
 * @param env The value of the `FFMPEG` environment variable, if set.
 * @returns The path or name of the ffmpeg program.
 */
export function resolveFfmpegPath(flag?: string, env?: string): string {
  if (flag !== undefined && flag !== "") return flag;
  if (env !== undefined && env !== "") return env;
  return "ffmpeg";
}
