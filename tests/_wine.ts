/**
 * The Windows build of Deno under Wine, which `source scripts/setup.sh all`
 * sets up in `.tools/wine/` (scripts/setup_wine.sh): runs the tools'
 * entrypoints with deno.exe and exactly the permissions the Windows
 * executables embed, through tests/_tool.ts's ToolProcess and runTool.
 *
 * @module
 */
import { alive } from "./_proc.ts";
import { runTool, type Tool, toolArgs, type ToolCommand } from "./_tool.ts";

const root = new URL("../", import.meta.url);
const TOOLS = new URL("../.tools/wine/", import.meta.url).pathname;

/** deno.exe: the Windows build of the Deno the tests run on, with its stand-in DLL beside it. */
export const WINDOWS_DENO = `${TOOLS}deno/deno.exe`;
/** ffmpeg.exe 4.1: a Windows build of 2018 (`@ffmpeg-installer/win32-x64`). */
export const WINDOWS_FFMPEG = `${TOOLS}ffmpeg/ffmpeg.exe`;
/** The Wine prefix: a Windows of its own (C:, the registry), shared by every Wine process here. */
export const WINE_PREFIX = `${TOOLS}prefix`;

/**
 * The Windows path of a Linux path, on the drive Z: that Wine maps to `/`.
 *
 * @example
 * ```ts
 * windowsPath("/tmp/key.txt"); // "Z:\\tmp\\key.txt"
 * ```
 */
export function windowsPath(path: string): string {
  return `Z:${path.replaceAll("/", "\\")}`;
}

/**
 * What Wine and deno.exe run with, as scripts/setup_wine.sh sets them up: the
 * prefix, no Wine debug output, no Mono or Gecko (nothing here needs .NET or
 * a browser engine), no desktop process and no sound, and deno.exe's own
 * cache, which setup filled.
 *
 * Wine starts its desktop (explorer.exe) for the first window, such as the
 * one DirectShow makes in `ffmpeg -list_devices`; started from under the
 * sender, it kept the sender waiting for ffmpeg's output to end, long after
 * ffmpeg had. Its sound drivers, asked for audio devices there, have ALSA
 * complain on the sender's standard error, past ffmpeg's pipes. Without
 * either, ffmpeg lists the devices all the same.
 */
export const WINE_ENV: Readonly<Record<string, string>> = {
  WINEPREFIX: WINE_PREFIX,
  WINEDEBUG: "-all",
  WINEDLLOVERRIDES: "mscoree,mshtml=;winemenubuilder.exe,explorer.exe,winealsa.drv,winepulse.drv=d",
  DENO_DIR: windowsPath(`${TOOLS}deno-dir`),
  DENO_NO_UPDATE_CHECK: "1",
};

/** Runs a tool with deno.exe under Wine: the {@linkcode ToolCommand} for ToolProcess and runTool. */
export const wineCommand: ToolCommand = (tool, args, env, denoFlags = []) => {
  return new Deno.Command("wine", {
    args: [WINDOWS_DENO, ...toolArgs(tool, args, denoFlags)],
    cwd: root,
    env: { ...WINE_ENV, NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
};

/**
 * Runs a tool to its end with deno.exe under Wine, as {@linkcode runTool}
 * does with this Deno. Wine 8.0 kills about one in ten deno.exe processes of
 * these tools that end by running out of work (not by `Deno.exit`, as `--version`
 * or `--list-cameras` do) with SIGKILL, after all of their output (exit code
 * 137; `deno.exe eval` alone never, the tools' module graph often enough):
 * such a run is made again, up to twice, since Windows has no SIGKILL.
 */
export async function runWindowsTool(
  tool: Tool,
  args: string[],
  env?: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  for (let tries = 1;; tries++) {
    const run = await runTool(tool, args, env, wineCommand);
    // The tools never fail without a word: a run that ended non-zero having
    // printed nothing at all never ran (Wine could not start it, seen about
    // once in 20 runs right after a busy gate), and is tried again.
    const silent = run.code !== 0 && run.stdout === "" && run.stderr === "";
    if ((run.code !== KILLED && !silent) || tries === 3) return run;
  }
}

/** The exit code of a process killed with SIGKILL. */
const KILLED = 128 + 9;

/** What setup leaves in `.tools/wine/`, by what it is. */
const SET_UP: ReadonlyArray<[string, string]> = [
  ["deno.exe", WINDOWS_DENO],
  ["the stand-in bcryptprimitives.dll", `${TOOLS}deno/bcryptprimitives.dll`],
  ["ffmpeg.exe", WINDOWS_FFMPEG],
  ["the Wine prefix", `${WINE_PREFIX}/system.reg`],
  ["deno.exe's cache", `${TOOLS}deno-dir/cached.sha256`],
];

async function run(program: string, args: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(program, {
    args,
    env: { ...WINE_ENV },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

/**
 * Makes sure Wine is set up, then starts its server for the prefix, to stay
 * up `seconds` after its last process ends, and boots the prefix's Windows
 * (its services) with no output attached: else the first Wine process of a
 * test would hand its pipes to them, and its output would never end.
 *
 * @throws {Error} If something is missing: the message says to run `source scripts/setup.sh all`.
 */
export async function startWine(seconds = 60): Promise<void> {
  const fix = "run source scripts/setup.sh all";
  for (const program of ["wine", "wineserver"]) {
    try {
      await run(program, ["--version"]);
    } catch {
      throw new Error(`Wine is not set up: ${program} is not on PATH; ${fix}`);
    }
  }
  for (const [what, path] of SET_UP) {
    try {
      await Deno.stat(path);
    } catch {
      throw new Error(`Wine is not set up: ${what} is missing (${path}); ${fix}`);
    }
  }
  await detached("wineserver", [`-p${seconds}`]);
  const booted = await detached("wine", ["cmd", "/c", "exit"]);
  if (!booted.success) throw new Error(`Wine did not start: cmd exited with ${booted.code}`);
}

/** Runs a program with Wine's environment and no input or output, to its end. */
async function detached(program: string, args: string[]): Promise<Deno.CommandStatus> {
  return await new Deno.Command(program, {
    args,
    env: { ...WINE_ENV },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn().status;
}

/** Stops the prefix's Wine server and every process of the prefix, and waits for them to end. */
export async function stopWine(): Promise<void> {
  await run("wineserver", ["-k"]);
  await run("wineserver", ["-w"]);
}

/**
 * The pids of the processes that run in the prefix (by WINEPREFIX in their
 * environment), the Wine server's included; not the ones that have exited.
 */
export async function winePids(): Promise<number[]> {
  const wanted = `WINEPREFIX=${WINE_PREFIX}`;
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const environ = await Deno.readTextFile(`/proc/${entry.name}/environ`).catch(() => "");
    const pid = Number(entry.name);
    if (environ.split("\0").includes(wanted) && await alive(pid)) pids.push(pid);
  }
  return pids;
}
