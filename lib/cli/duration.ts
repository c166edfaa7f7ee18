/**
 * Reads a duration in seconds: `90` (plain seconds), `30s`, `10m`, `1h`, or
 * parts in that order such as `1h30m` or `2m30s`. Fractions are allowed
 * (`1.5h`); units are lower case.
 *
 * @throws {TypeError} If `text` is not such a duration.
 */
export function parseDuration(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (text === "" || match === null) {
    throw new TypeError(`"${text}" is not a duration such as 90, 30s, 10m, 1h or 1h30m`);
  }
  const [, h = "0", m = "0", s = "0"] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/** Writes a duration in seconds the way {@linkcode parseDuration} reads it: `1h30m`, `45s`. */
export function formatDuration(seconds: number): string {
  if (!(seconds >= 0) || !Number.isFinite(seconds)) {
    throw new RangeError(`Cannot format a duration of ${seconds} s`);
  }
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round((seconds % 60) * 1000) / 1000;
  const parts = [h > 0 ? `${h}h` : "", m > 0 ? `${m}m` : "", s > 0 ? `${s}s` : ""].join("");
  return parts === "" ? "0s" : parts;
}
