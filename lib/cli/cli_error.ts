/** Exit codes shared by both tools. */
export const ExitCode = {
  /** Success. */
  OK: 0,
  /** A runtime failure: the source failed, the network failed. */
  FAILURE: 1,
  /** Bad flags or arguments. */
  USAGE: 2,
  /** ffmpeg is missing. */
  MISSING_DEPENDENCY: 3,
  /** The address to listen on is taken or not available. */
  ADDRESS_IN_USE: 4,
} as const;

/** A mistake in the command line; the tool prints it and exits with {@linkcode ExitCode.USAGE}. */
export class UsageError extends Error {
  /** Creates a usage error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Prints `error: message` on standard error and exits with `code`. */
export function exitWithError(message: string, code: number): never {
  console.error(`error: ${message}`);
  Deno.exit(code);
}
