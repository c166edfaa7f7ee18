import { withTimeout } from "../util/with_timeout.ts";

/** A program and its arguments. */
export interface OpenerCommand {
  /** The program, a name on the PATH. */
  cmd: string;
  /** Its arguments, the URL last. */
  args: string[];
}

/**
 * The command that opens `url` in the default browser on `os`: `open` on
 * macOS; `rundll32 url.dll,FileProtocolHandler URL` on Windows, which takes
 * the URL as it is (cmd's `start` would cut it at the first `&`); `xdg-open`
 * on Linux and the other Unix systems.
 */
export function openerCommand(os: typeof Deno.build.os, url: string): OpenerCommand {
  switch (os) {
    case "darwin":
      return { cmd: "open", args: [url] };
    case "windows":
      return { cmd: "rundll32", args: ["url.dll,FileProtocolHandler", url] };
    default:
      return { cmd: "xdg-open", args: [url] };
  }
}

/** Options for {@linkcode openBrowser}. */
export interface OpenBrowserOptions {
  /**
   * The operating system whose opener is run.
   *
   * @default {Deno.build.os}
   */
  os?: typeof Deno.build.os;
  /**
   * How long to wait for the opener to fail, in ms. One still running then
   * is taken to have opened the page (some run as long as the browser does),
   * and is left to run.
   *
   * @default {5000}
   */
  waitMs?: number;
}

/**
 * Opens `url` in the default browser with the system's opener (see
 * {@linkcode openerCommand}). Never throws: resolves with undefined once the
 * opener succeeded, or with one line saying why it could not (no opener, no
 * display).
 *
 * Written by hand rather than with the npm `open` package, which runs a
 * script bundled in its own folder: a compiled executable has no such folder
 * to run it from.
 */
export async function openBrowser(
  url: string,
  options: OpenBrowserOptions = {},
): Promise<string | undefined> {
  const { os = Deno.build.os, waitMs = 5000 } = options;
  const { cmd, args } = openerCommand(os, url);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" })
      .spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return `${cmd} not found`;
    return `cannot run ${cmd}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const status = await withTimeout(child.status, waitMs);
  if (status === undefined) {
    child.unref();
    return undefined;
  }
  if (status.success) return undefined;
  return status.signal !== null
    ? `${cmd} was stopped by ${status.signal}`
    : `${cmd} exited with code ${status.code}`;
}
