import { wallClock } from "../../lib/util/clock.ts";
import { cpuTimeMs } from "./cpu_time.ts";
import { descendants } from "./descendants.ts";

/** What a process of the screen part is. */
export type ProcessRole = "sender" | "ffmpeg" | "receiver" | "chromium" | "renderer" | "bench";

/** One process's CPU time so far (user + system, all threads), in ms. */
export interface ProcessCpu {
  pid: number;
  role: ProcessRole;
  /** What it is, in words: `sender 3`, `ffmpeg of sender 3`, `chromium gpu-process`. */
  label: string;
  cpuMs: number;
}

/** Every process of a run at one moment, and the machine's CPUs. */
export interface CpuSample {
  /** When, on this process's wall clock (ms). */
  at: number;
  processes: ProcessCpu[];
  /** All CPUs together since boot, from `/proc/stat`: time busy and in all, ms. */
  machine: { busyMs: number; totalMs: number };
}

/** The tools of a run, by process id. */
export interface RunTools {
  senders: readonly number[];
  /** None before the run starts. */
  receiver?: number;
}

/**
 * The CPU time so far of the senders (and the ffmpeg each runs), the
 * receiver, this process (the bench, with Playwright's client) and every
 * Chromium process under it, and of the machine. Linux only: `/proc`.
 */
export async function sampleCpu(tools: RunTools, ticksPerSecond: number): Promise<CpuSample> {
  const at = wallClock();
  const found: Array<Omit<ProcessCpu, "cpuMs">> = [
    { pid: Deno.pid, role: "bench", label: "bench" },
  ];
  const known = new Set<number>([Deno.pid]);
  const add = (pid: number, role: ProcessRole, label: string) => {
    known.add(pid);
    found.push({ pid, role, label });
  };
  for (const [i, pid] of tools.senders.entries()) {
    add(pid, "sender", `sender ${i + 1}`);
    for (const child of await descendants(pid)) add(child, "ffmpeg", `ffmpeg of sender ${i + 1}`);
  }
  if (tools.receiver !== undefined) {
    add(tools.receiver, "receiver", "receiver");
    for (const child of await descendants(tools.receiver)) {
      add(child, "receiver", "child of the receiver");
    }
  }
  for (const pid of await descendants(Deno.pid)) {
    if (known.has(pid)) continue;
    const type = await chromiumType(pid);
    if (type === undefined) continue;
    add(pid, type === "renderer" ? "renderer" : "chromium", `chromium ${type}`);
  }
  const processes: ProcessCpu[] = [];
  for (const process of found) {
    try {
      processes.push({ ...process, cpuMs: cpuTimeMs(process.pid, ticksPerSecond) });
    } catch {
      // Gone since it was listed: a Chromium helper that ended, say.
    }
  }
  return { at, processes, machine: await machineCpu(ticksPerSecond) };
}

/**
 * A Chromium process's `--type` (`browser` for the main one, the program's
 * name for a helper such as its crash handler), or undefined for another program.
 */
async function chromiumType(pid: number): Promise<string | undefined> {
  const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
  // Chromium rewrites the command line of the processes its zygote forks as
  // one string, arguments apart by spaces.
  const args = cmdline.split(/[\0 ]+/);
  const program = args[0]?.split("/").at(-1) ?? "";
  if (!/chrom/i.test(program)) return undefined;
  const type = args.find((arg) => arg.startsWith("--type="))?.slice("--type=".length);
  return type ?? (/^(chromium|chrome|headless_shell)$/.test(program) ? "browser" : program);
}

/** All CPUs' time busy and in all since boot, from the first line of `/proc/stat`, in ms. */
async function machineCpu(ticksPerSecond: number): Promise<CpuSample["machine"]> {
  const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0];
  // cpu user nice system idle iowait irq softirq steal (guest time is within user)
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = ticks[3] + ticks[4];
  const ms = (value: number) => (value * 1000) / ticksPerSecond;
  return { busyMs: ms(total - idle), totalMs: ms(total) };
}
