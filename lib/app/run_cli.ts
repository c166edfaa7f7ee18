import { AddressInUseError, ExitCode, exitWithError, UsageError } from "../cli/cli_error.ts";
import { FfmpegNotFoundError } from "../ffmpeg/ffmpeg_not_found_error.ts";
import { SourceError } from "../ffmpeg/source_error.ts";

/**
 * Runs a tool's main function with Ctrl+C and SIGTERM wired to an abort
 * signal, and turns whatever it throws into one `error: ...` line and an exit
 * code, with no stack trace. A second Ctrl+C, a second or more later, exits at once.
 */
export async function runCli(
  main: (signal: AbortSignal) => Promise<void>,
  bound?: BoundAddress,
): Promise<never> {
  const controller = new AbortController();
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT", "SIGBREAK"]
    : ["SIGINT", "SIGTERM"];
  let firstSignal = 0;
  const onSignal = () => {
    // Ctrl+C under a task runner can arrive twice at once (from the terminal
    // and forwarded): only a second press a moment later means "now".
    if (controller.signal.aborted) {
      if (Date.now() - firstSignal > 1000) Deno.exit(130);
      return;
    }
    firstSignal = Date.now();
    controller.abort();
  };
  for (const name of signals) Deno.addSignalListener(name, onSignal);
  try {
    await main(controller.signal);
  } catch (error) {
    const [message, code] = describeError(error, bound);
    exitWithError(message, code);
  }
  Deno.exit(ExitCode.OK);
}

/** The address a tool binds as the user gave it, and the flag that changes it. */
export interface BoundAddress {
  /** Such as `UDP 0.0.0.0:8080`. */
  address: string;
  /** Such as `--listen`. */
  flag: string;
}

/** The one line and exit code for an error; `bound` names the address and its flag. */
export function describeError(error: unknown, bound?: BoundAddress): [string, number] {
  if (error instanceof UsageError) return [error.message, ExitCode.USAGE];
  if (error instanceof FfmpegNotFoundError) return [error.message, ExitCode.MISSING_DEPENDENCY];
  if (error instanceof SourceError) return [error.message, ExitCode.FAILURE];
  if (error instanceof AddressInUseError) return [error.message, ExitCode.ADDRESS_IN_USE];
  const where = bound?.address ?? "the address";
  const flag = bound === undefined ? "" : ` with ${bound.flag}`;
  if (error instanceof Deno.errors.AddrInUse) {
    return [
      `${where} is already in use: stop the program using it, or choose another port${flag}`,
      ExitCode.ADDRESS_IN_USE,
    ];
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return [
      `cannot listen on ${where}: no such address on this machine; choose one of its own${flag}`,
      ExitCode.ADDRESS_IN_USE,
    ];
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return [
      `not allowed to listen on ${where}: choose a port above 1023${flag}`,
      ExitCode.ADDRESS_IN_USE,
    ];
  }
  const message = error instanceof Error ? error.message : String(error);
  return [message.split("\n")[0], ExitCode.FAILURE];
}
