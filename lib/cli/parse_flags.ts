import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
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
    throw new UsageError(`${flagMessage(error)}; see ${options.tool} --help`);
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

/** Turns a `parseArgs` error into one short line. */
export function flagMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const missing = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
  if (missing) return `${missing[1].split(",").pop()!.trim()} needs a value`;
  return message.split("\n")[0].replace(/\.$/, "");
}
