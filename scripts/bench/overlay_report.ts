import { fixed, signed } from "./report.ts";
import type { FrameSize } from "./bench_args.ts";
import type { HostInfo } from "./host_info.ts";
import type { OverlayResult, OverlayRoute } from "./overlay.ts";

/** The overlay part's results, as `--json` prints them. */
export interface OverlayReport {
  /** The clip's frame size. */
  size: FrameSize;
  /** The clip's frame rate. */
  fps: number;
  /** The text drawn. */
  text: string;
  /** Seconds of warm-up, then of measurement, for each run. */
  warmupSeconds: number;
  seconds: number;
  /** One result a run. */
  results: OverlayResult[];
}

/** A run keeps up when it delivers at least this share of the clip's frame rate. */
const KEEPS_UP = 0.95;

const ROUTE_TEXT: Record<OverlayRoute, string> = {
  "drawtext": "sender, ffmpeg drawtext",
  "imagescript": "raw RGBA, draw_text, imagescript JPEG",
  "imagescript+ffmpeg": "raw RGBA, draw_text, ffmpeg JPEG from a pipe",
};

/**
 * The part as markdown: where and how it was run, one row a run, and which
 * overlay route keeps up for the least CPU.
 */
export function formatOverlayReport(
  report: OverlayReport,
  context: { command: string; host: HostInfo },
): string {
  const { size, fps, results } = report;
  const { command, host } = context;
  const lines = [
    `- Command: \`${command}\``,
    `- Date: ${host.date}; nproc: ${host.nproc}; CPU: ${host.cpu}`,
    `- Deno: ${host.deno}; ffmpeg: ${host.ffmpeg}`,
    `- Clip: ${size.width}x${size.height} at ${fps} fps, decoded and encoded again ` +
    `(quality 80); text: \`${report.text}\``,
    `- Each run: ${report.warmupSeconds} s warm-up, then ${report.seconds} s measured`,
    "- CPU: utime+stime of the process and every process under it, from /proc/PID/stat",
    "",
    "| route | overlay | delivered fps | CPU ms/frame | CPU % of a core | overlay ms/frame | counted |",
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ...results.map((result) => {
      const base = results.find((r) => r.route === result.route && !r.overlay);
      const extra = result.overlay && base !== undefined
        ? signed(result.cpuMsPerFrame - base.cpuMsPerFrame)
        : "";
      return `| ${ROUTE_TEXT[result.route]} | ${result.overlay ? "yes" : "no"} | ` +
        `${fixed(result.fps, 1)} | ${fixed(result.cpuMsPerFrame, 2)} | ` +
        `${fixed(result.cpuPercent, 0)} | ${extra} | ${result.counted} |`;
    }),
    "",
    verdict(report),
  ];
  return lines.join("\n");
}

/** Which overlay run keeps up with the clip for the least CPU. */
function verdict(report: OverlayReport): string {
  const keeping = report.results
    .filter((r) => r.overlay && r.fps >= report.fps * KEEPS_UP)
    .sort((a, b) => a.cpuMsPerFrame - b.cpuMsPerFrame);
  const best = keeping[0];
  if (best === undefined) {
    return `No overlay route kept ${report.fps} fps at ${report.size.width}x${report.size.height}.`;
  }
  return `Least CPU at ${report.fps} fps with the overlay: ${ROUTE_TEXT[best.route]}, ` +
    `${fixed(best.cpuMsPerFrame, 2)} ms/frame (${fixed(best.cpuPercent, 0)} % of a core).`;
}
