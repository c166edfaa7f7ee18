/**
 * CPU time a process has used so far, user plus system, all threads, in ms;
 * its children are not counted. Linux only: it reads `/proc/PID/stat`.
 */
export function cpuTimeMs(pid: number, ticksPerSecond: number): number {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(`process ${pid} exited during the measurement`, { cause: error });
  }
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, so 11 and 12 here.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`cannot read the CPU time of process ${pid}`);
  }
  return ((utime + stime) * 1000) / ticksPerSecond;
}

/** The unit of CPU times in `/proc/PID/stat`. */
export interface ClockTicks {
  /** Ticks a second. */
  perSecond: number;
  /** `getconf` if `getconf CLK_TCK` said so, `assumed` if it could not. */
  from: "getconf" | "assumed";
}

/** Clock ticks a second in `/proc/PID/stat`, from `getconf CLK_TCK`; 100 if that fails. */
export async function clockTicks(): Promise<ClockTicks> {
  try {
    const { success, stdout } = await new Deno.Command("getconf", {
      args: ["CLK_TCK"],
      stdin: "null",
      stderr: "null",
    }).output();
    const ticks = Number(new TextDecoder().decode(stdout).trim());
    if (success && ticks > 0) return { perSecond: ticks, from: "getconf" };
  } catch {
    // No getconf: Linux's USER_HZ is 100 on every common architecture.
  }
  return { perSecond: 100, from: "assumed" };
}
