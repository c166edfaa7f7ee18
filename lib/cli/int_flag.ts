import { UsageError } from "./cli_error.ts";

/**
 * Reads a whole-number flag value within `[min, max]`, or returns undefined
 * when the flag was not given. Throws a {@linkcode UsageError} naming the flag.
 */
export function parseIntFlag(
  value: string | undefined,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < min || number > max) {
    throw new UsageError(`${flag} needs a whole number from ${min} to ${max}, got "${value}"`);
  }
  return number;
}
