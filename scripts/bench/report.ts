import type { TransportResult } from "./transport.ts";
import type { HighestRate } from "./highest_rate.ts";
import type { ClockTicks } from "./cpu_time.ts";
import type { HostInfo } from "./host_info.ts";
import type { LossVerdict } from "./loss_report.ts";
import { formatLoopLag } from "./loop_lag.ts";
import type { LinkResult } from "./measure_link.ts";
import type { OverlayReport } from "./overlay_report.ts";
import type { ScreenReport } from "./screen_report.ts";
import type { SoakReport } from "./soak_report.ts";
import type { SizeResult } from "./summarize.ts";
import type { TransientVerdict } from "./transient_report.ts";
import type { TransientResult } from "./transient_summary.ts";
import { TARGET_SOURCE, type TargetCheck } from "./targets.ts";

/** Everything one bench run found, as `--json` prints it. */
export interface BenchReport {
  /** The command that ran the bench. */
  command: string;
  /** The machine. */
  host: HostInfo;
  /** The unit CPU times were read in. */
  clockTicks: ClockTicks;
  /** How the clips were made. */
  clip: { fps: number; seconds: number; noise: number; qscale: number };
  /** Seconds of warm-up, then of measurement, for each size. */
  warmupSeconds: number;
  seconds: number;
  /** One result a size. */
  results: SizeResult[];
  /** The targets for the 1920x1080 result; undefined when that size was not measured. */
  targets: TargetCheck[] | undefined;
  /** The loss matrix, when it was run. */
  loss?: {
    seconds: number;
    results: Array<LinkResult & { verdict?: LossVerdict; coldStartVerdict?: LossVerdict }>;
  };
  /** The transients, when they were run. */
  transients?: Array<TransientResult & { verdict: TransientVerdict }>;
  /** The soak, when it was run. */
  soak?: SoakReport;
  /** The overlay routes, when they were measured. */
  overlay?: OverlayReport;
  /** udpcam beside GStreamer, when the transport part was run. */
  transport?: {
    size: string;
    gstreamer: string;
    results: TransportResult[];
    /** The highest-rate rows. */
    rates: HighestRate[];
  };
  /** The latency to the screen, when the screen part was run. */
  screen?: ScreenReport;
}

const COLUMNS: Array<[string, (r: SizeResult) => string]> = [
  ["source", (r) => r.source],
  ["key", (r) => r.sealed ? "yes" : "no"],
  ["mean frame KB", (r) => fixed(r.meanFrameKB, 1)],
  ["fps 0-5 s (cold start)", (r) => fixed(r.coldStartFps, 1)],
  ["delivered fps", (r) => fixed(r.fps, 1)],
  ["Mbit/s", (r) => fixed(r.mbps, 1)],
  ["sender CPU ms/frame", (r) => fixed(r.senderCpuMsPerFrame, 2)],
  ["receiver CPU ms/frame", (r) => fixed(r.receiverCpuMsPerFrame, 2)],
  ["total CPU ms/frame", (r) => fixed(r.totalCpuMsPerFrame, 2)],
  ["latency p50 ms", (r) => fixed(r.latencyMs.p50, 2)],
  ["latency p99 ms", (r) => fixed(r.latencyMs.p99, 2)],
  ["frames dropped", (r) => String(r.framesDropped)],
  ["packets lost", (r) => String(r.packetsLost)],
  ["sender lag max / p99 ms", (r) => formatLoopLag(r.loopLagMs.sender)],
  ["receiver lag max / p99 ms", (r) => formatLoopLag(r.loopLagMs.receiver)],
  ["idle process lag max / p99 ms", (r) => formatLoopLag(r.loopLagMs.idle)],
];

/** The report as markdown: how it was run, one table row a size, then the targets. */
export function formatReport(report: BenchReport): string {
  const { host, clip } = report;
  const ticks = report.clockTicks.from === "getconf"
    ? `${report.clockTicks.perSecond} ticks/s (getconf CLK_TCK)`
    : `assuming ${report.clockTicks.perSecond} ticks/s (getconf failed)`;
  const lines = [
    `- Command: \`${report.command}\``,
    `- Date: ${host.date}`,
    `- nproc: ${host.nproc}; CPU: ${host.cpu}`,
    `- Deno: ${host.deno}`,
    `- ffmpeg: ${host.ffmpeg}`,
    `- Clips: testsrc2, temporal noise alls=${clip.noise}, -q:v ${clip.qscale}, ` +
    `${clip.fps} fps, ${clip.seconds} s on a loop, passed through by ffmpeg (--copy)`,
    `- Each size: the sender and the receiver started at the same moment, the viewer as soon ` +
    `as the receiver listens; fps 0-5 s counts from that moment (a cold start); the other ` +
    `figures over ${report.seconds} s measured after ${report.warmupSeconds} s of being live`,
    `- Lag: how late each tool's event loop ran, worst and p99 over its last minute, as it ` +
    `last reported it (the sender's latest stats event, the receiver's /stats at the end); ` +
    `n/a where a tool does not report it; the idle process's: a Deno process that only ` +
    `measures its own lag, started with the tools, what the machine alone causes (an idle ` +
    `process is woken sooner than a busy one, so it sees less of that than the tools)`,
    `- CPU ms/frame: utime+stime of all threads from /proc/PID/stat, ${ticks}, ` +
    `over frames the receiver completed; ffmpeg not counted`,
    `- Latency: the viewer reading a part minus its X-Timestamp (the sender reading the frame ` +
    `from ffmpeg)`,
    "",
    row(COLUMNS.map(([name]) => name)),
    row(COLUMNS.map(([name]) => (name === "source" || name === "key" ? "---" : "---:"))),
    ...report.results.map((result) => row(COLUMNS.map(([, cell]) => cell(result)))),
    "",
    ...formatKeyCost(report.results),
    ...formatTargets(report.targets),
  ];
  return lines.join("\n");
}

/** What sealing costs at each size: CPU per frame with a key over without, run side by side. */
function formatKeyCost(results: SizeResult[]): string[] {
  const lines: string[] = [];
  for (const sealed of results.filter((r) => r.sealed)) {
    const clear = results.find((r) => r.source === sealed.source && !r.sealed);
    if (clear === undefined) continue;
    const extra = sealed.totalCpuMsPerFrame - clear.totalCpuMsPerFrame;
    lines.push(
      `- Key at ${sealed.source}: ${fixed(clear.totalCpuMsPerFrame, 2)} -> ` +
        `${fixed(sealed.totalCpuMsPerFrame, 2)} ms/frame (${extra >= 0 ? "+" : ""}${
          fixed(extra, 2)
        }, x${fixed(sealed.totalCpuMsPerFrame / clear.totalCpuMsPerFrame, 2)})`,
    );
  }
  return lines.length === 0 ? [] : ["Cost of a key (sender + receiver CPU):", ...lines, ""];
}

function formatTargets(targets: TargetCheck[] | undefined): string[] {
  if (targets === undefined) return [`Targets: not checked (no ${TARGET_SOURCE} row).`];
  const met = targets.filter((t) => t.met).length;
  return [
    `Targets for ${TARGET_SOURCE}: ${met} of ${targets.length} met`,
    ...targets.map((t) =>
      `- ${t.name} ${t.target}: ${fixed(t.value, 2)} ${t.met ? "met" : "NOT met"}`
    ),
  ];
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

/** `value` with `digits` decimals, or "-" for none. */
export function fixed(value: number | null, digits: number): string {
  return value !== null && Number.isFinite(value) ? value.toFixed(digits) : "-";
}

/** `value` with 2 decimals and its sign, or "-" for none. */
export function signed(value: number | null): string {
  return value !== null && value >= 0 ? `+${value.toFixed(2)}` : fixed(value, 2);
}
