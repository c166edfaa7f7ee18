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

/**
 * An address the tool was told to bind besides its main one is taken; the
 * tool says which and exits with {@linkcode ExitCode.ADDRESS_IN_USE}.
 */
export class AddressInUseError extends Error {
  /** @param where The address, as the user gave it (`--tutorial-port 8090`). */
  constructor(where: string) {
    super(`${where} is already in use: stop the program using it, or choose another port`);
    this.name = "AddressInUseError";
  }
}

/** Prints `error: message` on standard error and exits with `code`. */
export function exitWithError(message: string, code: number): never {
  console.error(`error: ${message}`);
  Deno.exit(code);
}
