import { installHint } from "../../lib/ffmpeg/install_hint.ts";

/** What the bench ran on, printed above its results. */
export interface HostInfo {
  /** When the bench started, ISO 8601. */
  date: string;
  /** CPUs this process may use, as `nproc` says. */
  nproc: number;
  /** The CPU model, from `/proc/cpuinfo`. */
  cpu: string;
  /** The Deno version. */
  deno: string;
  /** The first line of `ffmpeg -version`. */
  ffmpeg: string;
}

/** Thrown when the ffmpeg program is not on the PATH. */
export class FfmpegMissingError extends Error {
  /** Creates the error. */
  constructor(options?: ErrorOptions) {
    super(`ffmpeg not found on the PATH: install it with ${installHint(Deno.build.os)}`, options);
    this.name = "FfmpegMissingError";
  }
}

/** Describes this machine; throws {@linkcode FfmpegMissingError} if ffmpeg cannot be run. */
export async function hostInfo(): Promise<HostInfo> {
  return {
    date: new Date().toISOString(),
    nproc: await cpuCount(),
    cpu: await cpuModel(),
    deno: Deno.version.deno,
    ffmpeg: await ffmpegVersion(),
  };
}

async function ffmpegVersion(): Promise<string> {
  try {
    return await firstLine("ffmpeg", ["-hide_banner", "-version"]);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new FfmpegMissingError({ cause: error });
    throw error;
  }
}

async function cpuCount(): Promise<number> {
  try {
    return Number(await firstLine("nproc", [])) || navigator.hardwareConcurrency;
  } catch {
    return navigator.hardwareConcurrency;
  }
}

async function cpuModel(): Promise<string> {
  try {
    const text = await Deno.readTextFile("/proc/cpuinfo");
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1].trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

async function firstLine(program: string, args: string[]): Promise<string> {
  const { success, stdout } = await new Deno.Command(program, {
    args,
    stdin: "null",
    stderr: "null",
  }).output();
  if (!success) throw new Error(`${program} failed`);
  return new TextDecoder().decode(stdout).split("\n")[0].trim();
}
