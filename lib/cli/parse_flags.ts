import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import leven from "leven";
import { UsageError } from "./cli_error.ts";
import type { LogFormat } from "./logger.ts";

/** The flags both tools share. */
const COMMON = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  log: { type: "string" },
} as const;

/**
 * Parses a tool's command line with `node:util`'s `parseArgs` (strict, with
 * positionals), adding `--help`, `--version` and `--log`. A mistake becomes a
 * {@linkcode UsageError} of one short line that points at `tool --help`.
 */
export function parseFlags<T extends ParseArgsOptionsConfig>(
  argv: string[],
  options: { tool: string; flags: T },
) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON, ...options.flags },
    });
  } catch (error) {
    const known = Object.keys({ ...COMMON, ...options.flags });
    throw new UsageError(`${flagMessage(error, known)}; see ${options.tool} --help`);
  }
  const common = parsed.values as { help?: boolean; version?: boolean; log?: string };
  const log = common.log ?? "text";
  if (log !== "text" && log !== "json") {
    throw new UsageError(`--log needs text or json, got "${log}"`);
  }
  return {
    ...parsed,
    help: common.help ?? false,
    version: common.version ?? false,
    log: log as LogFormat,
  };
}

/**
 * Turns a `parseArgs` error into one short line; an unknown flag near one of
 * `known` (the flags' names, without dashes) gets a "did you mean".
 */
export function flagMessage(error: unknown, known: readonly string[] = []): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const meant = closestFlag(unknown[1], known);
    return `unknown flag ${unknown[1]}${meant === undefined ? "" : ` (did you mean --${meant}?)`}`;
  }
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
  if (missing) return `${missing[1].split(",").pop()!.trim()} needs a value`;
  return message.split("\n")[0].replace(/\.$/, "");
}

/**
 * The flag of `known` that `typed` (`--soruce`) is most likely a slip of, the
 * nearest by edits: one edit away, or two (a swap of letters is two) for a
 * name of 4 letters or more that begins with the same one.
 */
function closestFlag(typed: string, known: readonly string[]): string | undefined {
  if (!typed.startsWith("--")) return undefined;
  const name = typed.slice(2);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const flag of known) {
    const distance = leven(name, flag);
    const near = distance === 1 ||
      (distance === 2 && name.length >= 4 && name[0] === flag[0]);
    if (near && distance < bestDistance) {
      best = flag;
      bestDistance = distance;
    }
  }
  return best;
}
