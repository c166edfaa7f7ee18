import type { CpuSample, ProcessRole } from "./cpu_sample.ts";
import { type Spread, spread } from "./spread.ts";

/** CPU used over a span, in % of one CPU. */
export interface CpuShares {
  /** Each sender's own process (not its ffmpeg). */
  senderEach: Spread & { max: number };
  /** The senders' ffmpeg, all together. */
  ffmpeg: number;
  receiver: number;
  /** Every Chromium process together, its renderers included. */
  chromium: number;
  /** Chromium's renderers: the page's own work. */
  renderer: number;
  /** This process: Playwright's client, the HTTP viewer, the polls. */
  bench: number;
  /** Every process on the machine, from `/proc/stat`. */
  machine: number;
}

/** Each role's CPU from `start` to `end`, % of one CPU; a process new since `start` counts from 0. */
export function cpuShares(start: CpuSample, end: CpuSample): CpuShares {
  const elapsed = end.at - start.at;
  const share = (role: ProcessRole) =>
    end.processes.filter((process) => process.role === role)
      .reduce((sum, process) => sum + processShare(process.pid, start, end), 0);
  const senders = end.processes.filter((process) => process.role === "sender")
    .map((process) => processShare(process.pid, start, end));
  return {
    senderEach: senders.length === 0
      ? { mean: NaN, min: NaN, max: NaN }
      : { ...spread(senders), max: Math.max(...senders) },
    ffmpeg: share("ffmpeg"),
    receiver: share("receiver"),
    chromium: share("chromium") + share("renderer"),
    renderer: share("renderer"),
    bench: share("bench"),
    machine: ((end.machine.busyMs - start.machine.busyMs) / elapsed) * 100,
  };
}

/** One process's CPU from `start` to `end`, % of one CPU. */
export function processShare(pid: number, start: CpuSample, end: CpuSample): number {
  const before = start.processes.find((process) => process.pid === pid)?.cpuMs ?? 0;
  const after = end.processes.find((process) => process.pid === pid)?.cpuMs ?? before;
  return ((after - before) / (end.at - start.at)) * 100;
}
