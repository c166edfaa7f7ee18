import { parseArgs } from "node:util";
import { UsageError } from "../../lib/cli/cli_error.ts";
import { type HostPort, parseHostPort } from "../../lib/cli/host_port.ts";
import { parseIntFlag } from "../../lib/cli/int_flag.ts";
import { flagMessage } from "../../lib/cli/parse_flags.ts";
import type { LinkProfile } from "./link_profile.ts";

/** Everything the relay was asked to do, with defaults resolved. */
export interface RelayArgs {
  /** Where clients send to. @default {127.0.0.1:0} */
  listen: HostPort;
  /** Where packets are relayed to. */
  target: HostPort;
  /** Seeds the impairments. @default {1} */
  seed: number;
  /** Client to target. @default {{}} */
  up: LinkProfile;
  /** Target to client. @default {{}} */
  down: LinkProfile;
  /** A client silent for this long, in ms, loses its mapping. @default {30000} */
  idleMs: number;
  /** Print JSON lines instead of text. @default {false} */
  json: boolean;
  /** Seconds between counter lines; 0 prints them only on exit. @default {5} */
  everySeconds: number;
}

/** A link flag: its name, the profile field it sets and the values it takes. */
interface LinkFlag {
  name: string;
  field: keyof LinkProfile;
  min: number;
  max: number;
  /** The minimum itself is not allowed. */
  aboveMin?: boolean;
}

/** The link flags; each also comes as `--up-NAME` and `--down-NAME`. */
const LINK_FLAGS: readonly LinkFlag[] = [
  { name: "loss", field: "lossPercent", min: 0, max: 100 },
  { name: "burst", field: "burstLength", min: 1, max: 1_000_000 },
  { name: "dup", field: "duplicatePercent", min: 0, max: 100 },
  { name: "reorder", field: "reorderPercent", min: 0, max: 100 },
  { name: "reorder-delay", field: "reorderDelayMs", min: 0, max: 60_000 },
  { name: "delay", field: "delayMs", min: 0, max: 60_000 },
  { name: "jitter", field: "jitterMs", min: 0, max: 60_000 },
  { name: "rate", field: "rateMbps", min: 0, max: 100_000, aboveMin: true },
  { name: "queue", field: "queueMs", min: 0, max: 60_000 },
];

/** The relay's `--help`. */
export const RELAY_HELP =
  `udpcam impair relay: a UDP relay that loses, delays, duplicates and reorders

Usage: deno run --allow-net scripts/impair_relay.ts --target HOST:PORT [options]

Receivers send to --listen; the relay forwards to --target (the sender) from a
socket of its own for each receiver, and forwards the replies back. "up" is
receiver to sender, "down" is sender to receiver (the video).

Options:
  --listen HOST:PORT   where receivers send to (default 127.0.0.1:0, any free port)
  --target HOST:PORT   the sender to relay to (required)
  --seed N             seeds every random decision (default 1)
  --idle MS            forget a receiver silent for this long (default 30000)
  --every SECONDS      print the counters this often; 0 only on exit (default 5)
  --json               print one JSON object a line instead of text
  -h, --help           show this help

Link options, for both directions, or one with --up-NAME or --down-NAME:
  --loss PCT           lose this percent of packets (default 0)
  --burst N            mean length of a run of losses; 1 is independent loss (default 1)
  --dup PCT            deliver this percent of packets twice (default 0)
  --reorder PCT        hold this percent back so later packets overtake them (default 0)
  --reorder-delay MS   how long a reordered packet is held back (default 3)
  --delay MS           one-way delay (default 0)
  --jitter MS          random ±MS on the delay, never reordering (default 0)
  --rate MBIT          bandwidth cap in Mbit/s (default none)
  --queue MS           with --rate, drop packets that would wait longer (default 100)

Examples:
  deno run --allow-net scripts/impair_relay.ts --listen 127.0.0.1:9000 --target 127.0.0.1:8080 \\
    --down-loss 5 --burst 4
  deno run --allow-net scripts/impair_relay.ts --target 127.0.0.1:8080 --delay 20 --jitter 5 \\
    --down-rate 20 --json --every 1`;

/**
 * Reads the relay's command line; returns `{ help: true }` for `--help` and
 * throws a {@linkcode UsageError} on a mistake.
 */
export function parseRelayArgs(argv: string[]): { help: true } | RelayArgs & { help: false } {
  const { values, positionals } = parse(argv);
  if (values.help) return { help: true };
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"; see --help`);
  }
  const strings = values as Record<string, string | undefined>;
  if (strings.target === undefined) {
    throw new UsageError("--target is required, such as --target 127.0.0.1:8080");
  }
  const target = parseHostPort(strings.target, { hostname: "127.0.0.1", port: 0 }, "--target");
  if (target.port === 0) throw new UsageError(`--target needs a port, got "${strings.target}"`);
  const listenFallback = { hostname: "127.0.0.1", port: 0 };
  return {
    help: false,
    listen: strings.listen === undefined
      ? listenFallback
      : parseHostPort(strings.listen, listenFallback, "--listen"),
    target,
    seed: parseIntFlag(strings.seed, "--seed", 0, 0xffff_ffff) ?? 1,
    up: linkProfile(strings, "up"),
    down: linkProfile(strings, "down"),
    idleMs: parseNumberFlag(strings.idle, { name: "idle", min: 1, max: 86_400_000 }) ?? 30_000,
    json: values.json === true,
    everySeconds: parseNumberFlag(strings.every, { name: "every", min: 0, max: 86_400 }) ?? 5,
  };
}

/** The profile for one direction: `--DIRECTION-NAME` wins over `--NAME`. */
function linkProfile(values: Record<string, string | undefined>, direction: string): LinkProfile {
  const profile: Record<string, number> = {};
  for (const flag of LINK_FLAGS) {
    const own = `${direction}-${flag.name}`;
    const name = values[own] !== undefined ? own : flag.name;
    const value = parseNumberFlag(values[name], { ...flag, name });
    if (value !== undefined) profile[flag.field] = value;
  }
  return profile as LinkProfile;
}

/** Reads a decimal flag value within its range, or undefined when the flag was not given. */
function parseNumberFlag(
  value: string | undefined,
  flag: { name: string; min: number; max: number; aboveMin?: boolean },
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  const low = flag.aboveMin ? number > flag.min : number >= flag.min;
  if (!/^(\d+\.?\d*|\.\d+)$/.test(value.trim()) || !low || number > flag.max) {
    const range = flag.aboveMin
      ? `above ${flag.min} and at most ${flag.max}`
      : `from ${flag.min} to ${flag.max}`;
    throw new UsageError(`--${flag.name} needs a number ${range}, got "${value}"`);
  }
  return number;
}

function parse(argv: string[]) {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
    listen: { type: "string" },
    target: { type: "string" },
    seed: { type: "string" },
    idle: { type: "string" },
    every: { type: "string" },
    json: { type: "boolean" },
  };
  for (const { name } of LINK_FLAGS) {
    for (const prefix of ["", "up-", "down-"]) options[prefix + name] = { type: "string" };
  }
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(`${flagMessage(error)}; see --help`);
  }
}
