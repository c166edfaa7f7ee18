/**
 * What the sender's capture and the receiver's recording do alike with an
 * ffmpeg child process: signal it, read its stderr line by line, and say how
 * it ended.
 *
 * @module
 */
import { FfmpegNotFoundError } from "./ffmpeg_not_found_error.ts";
import { SourceError } from "./source_error.ts";

/**
 * What to throw when ffmpeg could not be started: {@linkcode FfmpegNotFoundError}
 * (with how to install it) when there is no such program, else a one-line
 * {@linkcode SourceError}.
 */
export function ffmpegStartError(
  ffmpeg: string,
  error: unknown,
  os: typeof Deno.build.os = Deno.build.os,
): Error {
  if (error instanceof Deno.errors.NotFound) {
    return new FfmpegNotFoundError(ffmpeg, { os, cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SourceError(`Cannot run ffmpeg at "${ffmpeg}": ${reason}`, { cause: error });
}

/**
 * Runs ffmpeg with `-hide_banner -nostdin` and `args` to its end, and
 * returns what it printed, whatever its exit code: for the questions asked
 * of it at start (its build, its filters, its devices).
 *
 * @throws {FfmpegNotFoundError} If the program cannot be found; its install hint is for `os`.
 * @throws {SourceError} If it cannot be run.
 */
export async function ffmpegOutput(
  ffmpeg: string,
  args: string[],
  os: typeof Deno.build.os = Deno.build.os,
): Promise<{ stdout: string; stderr: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(ffmpeg, {
      args: ["-hide_banner", "-nostdin", ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw ffmpegStartError(ffmpeg, error, os);
  }
  const decoder = new TextDecoder();
  return { stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** Sends `signal` to `child`, which may have exited already. */
export function killQuietly(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch {
    // Already exited.
  }
}

/**
 * Reads `reader` to its end as text, calling `onLine` with each line (split
 * at `\n`, `\r\n` or `\r`, as ffmpeg's progress lines end) cut to `maxChars`.
 */
export async function readLines(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxChars: number,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let partial = "";
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    const lines = (partial + decoder.decode(value, { stream: true })).split(/\r\n|\r|\n/);
    partial = lines.pop()!.slice(0, maxChars);
    for (const line of lines) onLine(line.slice(0, maxChars));
  }
  onLine((partial + decoder.decode()).slice(0, maxChars));
}

/** How ffmpeg ended, in words. */
export function describeExit(status: Deno.CommandStatus): string {
  return status.signal !== null
    ? `ffmpeg was stopped by ${status.signal}`
    : `ffmpeg exited with code ${status.code}`;
}

/** `message`, and the line that says why after a colon, if there is one. */
export function withLine(message: string, line: string | undefined): string {
  return line === undefined ? message : `${message}: ${line}`;
}
