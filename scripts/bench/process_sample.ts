import { lastCensusLine } from "./census_line.ts";

/** One process at one moment of the soak; MB are 10^6 bytes. */
export interface ProcessSample {
  /** Seconds since the soak started. */
  t: number;
  /** Resident memory, MB (`VmRSS` of `/proc/PID/status`). */
  rssMB: number;
  /** Open file descriptors (entries of `/proc/PID/fd`). */
  fds: number;
  /** Threads (`Threads` of `/proc/PID/status`). */
  threads: number;
  /** The JS heap in use, MB, from the census; null without one. */
  heapMB: number | null;
  /** Memory outside the heap that JS objects hold (array buffers), MB; null without a census. */
  externalMB: number | null;
  /** Live timers, from the census; null without one. */
  timers: number | null;
  /** Open Deno resources, from the census; null without one. */
  resources: number | null;
}

/**
 * Samples process `pid` at `t` s: memory, descriptors and threads from
 * `/proc`, the rest from the last line of its census file. Linux only.
 */
export async function sampleProcess(
  pid: number,
  options: { t: number; censusPath: string },
): Promise<ProcessSample> {
  let status: string;
  let fds = 0;
  try {
    status = await Deno.readTextFile(`/proc/${pid}/status`);
    for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) fds++;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(`process ${pid} exited during the soak`, { cause: error });
  }
  const census = lastCensusLine(await readIfThere(options.censusPath));
  return {
    t: options.t,
    rssMB: (statusField(status, "VmRSS") * 1024) / 1e6,
    fds,
    threads: statusField(status, "Threads"),
    heapMB: census === undefined ? null : census.heapUsed / 1e6,
    externalMB: census === undefined ? null : census.external / 1e6,
    timers: census?.timers ?? null,
    resources: census?.resources ?? null,
  };
}

/** Process `pid`'s resident memory now, MB (`VmRSS` of `/proc/PID/status`). Linux only. */
export async function residentMB(pid: number): Promise<number> {
  return (statusField(await Deno.readTextFile(`/proc/${pid}/status`), "VmRSS") * 1024) / 1e6;
}

/** A number field of `/proc/PID/status`, such as `VmRSS:  81234 kB`. */
function statusField(status: string, name: string): number {
  const value = Number(new RegExp(`^${name}:\\s*(\\d+)`, "m").exec(status)?.[1]);
  if (!Number.isFinite(value)) throw new Error(`no ${name} in /proc/PID/status`);
  return value;
}

async function readIfThere(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}
