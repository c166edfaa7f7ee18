import { parseArgs } from "node:util";
import { UsageError } from "../../lib/cli/cli_error.ts";
import { parseIntFlag } from "../../lib/cli/int_flag.ts";
import { flagMessage } from "../../lib/cli/parse_flags.ts";
import { LOSS_ROWS } from "./loss_rows.ts";

/** The parts of the bench, in the order they run. */
export const BENCH_PARTS = [
  "sizes",
  "loss",
  "transients",
  "soak",
  "overlay",
  "transport",
  "screen",
] as const;

/** One part of the bench. */
export type BenchPart = typeof BENCH_PARTS[number];

/** A frame size in pixels. */
export interface FrameSize {
  width: number;
  height: number;
}

/** The sizes measured when `--sizes` is not given. */
export const BENCH_SIZES: readonly FrameSize[] = [
  { width: 640, height: 480 },
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
];

/** Everything the bench was asked to do, with defaults resolved. */
export interface BenchArgs {
  /** Print help and exit. */
  help: boolean;
  /** Seconds measured for each size. @default {10} */
  seconds: number;
  /** The sizes to measure. @default {BENCH_SIZES} */
  sizes: FrameSize[];
  /** Print the results as JSON instead of a table. @default {false} */
  json: boolean;
  /** Which parts to run, in the order they run. @default {BENCH_PARTS} */
  only: BenchPart[];
  /** Seconds each run of the loss matrix lasts, from a cold start. @default {60} */
  lossSeconds: number;
  /** The loss matrix's rows to run, by id. @default all */
  rows: string[] | undefined;
  /** Seconds the soak streams. @default {600} */
  soakSeconds: number;
  /** Seconds measured for each run of the overlay part. @default {15} */
  overlaySeconds: number;
  /** Seconds each run of the screen part lasts, from a cold start. @default {20} */
  screenSeconds: number;
}

/** The bench's `--help`. */
export const BENCH_HELP = `udpcam bench: a sender and a receiver on this machine, measured

Usage: deno task bench [options]

Options:
  --seconds N          seconds measured for each size, after 2 s of warm-up (default 10);
                       fps over the first 5 s from a cold start is reported apart
  --sizes WxH,...      sizes to measure (default 640x480,1280x720,1920x1080)
  --only PART,...      run only these parts: sizes, loss, transients, soak, overlay,
                       transport, screen (default all)
  --loss-seconds N     seconds each run of the loss matrix lasts, from a cold start
                       (default 60)
  --rows ID,...        loss matrix rows: clean, loss1, loss5, loss10, burst5, cap,
                       dupreorder (default all, clean first)
  --soak-seconds N     seconds the soak streams, at least 30 (default 600)
  --overlay-seconds N  seconds measured for each run of the overlay part (default 15)
  --screen-seconds N   seconds each run of the screen part lasts, from a cold start,
                       at least 6 (default 20)
  --json               print the results as JSON instead of a markdown table
  -h, --help           show this help

The loss matrix runs each row with recovery on and off and FEC on and off,
each run from a cold start (sender and receiver started together, nothing
warmed up): with the default 60 s a run, about 30 minutes. The transients
part starts a 720p stream, and after 8 s stops the receiver or the sender
for 1 s, blacks the link out for 2 s, adds 50 ms of delay to stay, or caps
it at half the bitrate for 10 s, and measures the frames lost and the
seconds back to full quality and frame rate (about 3 minutes). The soak
streams 720p at 30 fps to a viewer for 10 minutes and checks that both
tools' memory stays flat and that their descriptors, threads, timers and
resources do not grow. The overlay part measures what sender --overlay
costs on a 720p clip at 30 fps: ffmpeg's drawtext in the sender against
drawing in-process on raw frames, each beside the same route without text
(about 2 minutes). The transport part measures the CPU a frame costs
udpcam's sender and receiver at 1080p beside GStreamer's RTP/JPEG on the
same clip and MTU, clear and with SRTP AES-128-GCM against --key, and fails
if GStreamer is missing (about 2 minutes). The screen part measures the
latency to the screen in headless Chromium at 720p and 30 fps: one camera,
then nine senders joined by one receiver, each run from a cold start
(senders, receiver and Chromium started together), the grid page's capture
to paint against an HTTP client's capture to read, frames painted a second
and each process's CPU; it fails if Chromium is missing (about a minute).`;

/** Reads the bench's command line; throws a {@linkcode UsageError} on a mistake. */
export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values, positionals } = parse(argv);
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"; see --help`);
  }
  return {
    help: values.help ?? false,
    seconds: parseIntFlag(values.seconds, "--seconds", 1, 3600) ?? 10,
    sizes: values.sizes === undefined ? [...BENCH_SIZES] : parseSizes(values.sizes),
    json: values.json ?? false,
    only: parseOnly(values.only),
    lossSeconds: parseIntFlag(values["loss-seconds"], "--loss-seconds", 1, 3600) ?? 60,
    rows: values.rows === undefined ? undefined : parseRows(values.rows),
    soakSeconds: parseIntFlag(values["soak-seconds"], "--soak-seconds", 30, 86_400) ?? 600,
    overlaySeconds: parseIntFlag(values["overlay-seconds"], "--overlay-seconds", 1, 3600) ?? 15,
    // Longer than the start-up (5 s), which is reported apart.
    screenSeconds: parseIntFlag(values["screen-seconds"], "--screen-seconds", 6, 3600) ?? 20,
  };
}

function parseOnly(value: string | undefined): BenchPart[] {
  if (value === undefined) return [...BENCH_PARTS];
  const names = value.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(BENCH_PARTS as readonly string[]).includes(name)) {
      throw new UsageError(
        `--only needs parts from ${BENCH_PARTS.join(", ")}, such as sizes,soak; got "${value}"`,
      );
    }
  }
  return BENCH_PARTS.filter((part) => names.includes(part));
}

function parseRows(value: string): string[] {
  const ids = value.split(",").map((id) => id.trim());
  for (const id of ids) {
    if (!LOSS_ROWS.some((row) => row.id === id)) {
      throw new UsageError(
        `--rows: no row "${id}"; rows are ${LOSS_ROWS.map((row) => row.id).join(", ")}`,
      );
    }
  }
  return ids;
}

/** Reads `WxH,WxH,...`. */
export function parseSizes(value: string): FrameSize[] {
  return value.split(",").map((item) => {
    const match = /^(\d+)x(\d+)$/.exec(item.trim());
    const width = Number(match?.[1]);
    const height = Number(match?.[2]);
    if (!match || width < 16 || height < 16 || width % 2 || height % 2) {
      throw new UsageError(`--sizes needs even sizes such as 1280x720, got "${item}"`);
    }
    return { width, height };
  });
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        seconds: { type: "string" },
        sizes: { type: "string" },
        json: { type: "boolean" },
        only: { type: "string" },
        "loss-seconds": { type: "string" },
        rows: { type: "string" },
        "soak-seconds": { type: "string" },
        "overlay-seconds": { type: "string" },
        "screen-seconds": { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError(`${flagMessage(error)}; see --help`);
  }
}
