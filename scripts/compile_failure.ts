/**
 * What `deno task compile` says when `deno compile` fails: one line when
 * something could not be downloaded (offline, the runtime with no DENORT_BIN),
 * else Deno's own message without its Rust backtrace.
 *
 * @module
 */

/**
 * How `deno compile` says it could not fetch something, such as the runtime
 * (`https://dl.deno.land/release/vX/denort-T.zip`) or, for another system's
 * target, that system's builds of npm packages:
 * `error sending request for url (URL): client error (Connect): ...`.
 */
const DOWNLOAD_FAILED = /error sending request for url \((https?:\/\/[^)\s]+)\)/;

/** Colours, which Deno adds even when its standard error is a pipe. */
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** One failed `deno compile`. */
export interface CompileFailureOptions {
  /** The tool that was being compiled. */
  tool: "sender" | "receiver";
  /** The target it was compiled for. */
  target: string;
  /** What `deno compile` wrote to standard error. */
  stderr: string;
  /** The version of the Deno that compiles, whose denort it needs. */
  denoVersion: string;
}

/**
 * The lines to print for a failed `deno compile`: one line when something
 * could not be downloaded (`error: cannot download denort ...` for the
 * runtime), else what Deno wrote (up to its `Stack backtrace:`) and a line
 * naming the tool and target.
 */
export function compileFailure(options: CompileFailureOptions): string[] {
  const { tool, target, denoVersion } = options;
  const stderr = options.stderr.replace(ANSI, "");
  const url = DOWNLOAD_FAILED.exec(stderr)?.[1];
  if (url !== undefined && /^https:\/\/dl\.deno\.land\/.*\/denort-/.test(url)) {
    return [
      `error: cannot download denort for ${target} (no network?); run with network access, ` +
      `or set DENORT_BIN to a denort binary of Deno ${denoVersion}`,
    ];
  }
  if (url !== undefined) {
    return [`error: cannot download ${url} for ${target} (no network?); run with network access`];
  }
  const said = stderr.split(/^Stack backtrace:$/m)[0].trimEnd();
  const lines = said === "" ? [] : said.split("\n");
  return [...lines, `error: deno compile failed for ${tool} on ${target}`];
}
