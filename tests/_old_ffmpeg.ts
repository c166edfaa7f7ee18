/**
 * The oldest ffmpeg udpcam supports, 4.1 (a static build of its time, from
 * npm), which `source scripts/setup.sh all` puts under `.tools/`.
 *
 * @module
 */

/** Its path; {@linkcode oldFfmpeg} makes sure it is there. */
export const OLD_FFMPEG = new URL(
  "../.tools/ffmpeg-4.1/node_modules/@ffmpeg-installer/linux-x64/ffmpeg",
  import.meta.url,
).pathname;

/** The path of ffmpeg 4.1; throws, with how to get it, if it is missing. */
export function oldFfmpeg(): string {
  try {
    Deno.statSync(OLD_FFMPEG);
  } catch {
    throw new Error(`ffmpeg 4.1 is missing at ${OLD_FFMPEG}: run source scripts/setup.sh all`);
  }
  return OLD_FFMPEG;
}
