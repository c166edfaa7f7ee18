import { parseArgs } from "node:util";
import { UsageError } from "../../lib/cli_error.ts";
import { parseIntFlag } from "../../lib/int_flag.ts";
import { flagMessage } from "../../lib/parse_flags.ts";

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
}

/** The bench's `--help`. */
export const BENCH_HELP = `udpcam bench: a sender and a receiver on this machine, measured

Usage: deno task bench [options]

Options:
  --seconds N          seconds measured for each size, after 2 s of warm-up (default 10)
  --sizes WxH,...      sizes to measure (default 640x480,1280x720,1920x1080)
  --json               print the results as JSON instead of a markdown table
  -h, --help           show this help`;

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
  };
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
      },
    });
  } catch (error) {
    throw new UsageError(`${flagMessage(error)}; see --help`);
  }
}
