import { UsageError } from "./cli_error.ts";

/**
 * Reads an `on`/`off` flag value, or returns `fallback` when the flag was not
 * given. Throws a {@linkcode UsageError} naming the flag.
 */
export function parseSwitchFlag(
  value: string | undefined,
  flag: string,
  fallback: boolean,
): boolean {
  if (value === undefined) return fallback;
  if (value === "on") return true;
  if (value === "off") return false;
  throw new UsageError(`${flag} needs on or off, got "${value}"`);
}
