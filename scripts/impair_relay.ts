/**
 * A UDP relay that impairs the link between udpcam receivers and a sender:
 * loss (independent or in bursts), duplication, reordering, delay, jitter and
 * a bandwidth cap, each direction on its own, every decision seeded.
 *
 *   deno run --allow-net scripts/impair_relay.ts --listen 127.0.0.1:9000 \
 *     --target 127.0.0.1:8080 --down-loss 5 --burst 4
 *
 * Receivers then use 127.0.0.1:9000 as the sender's address. The counters are
 * printed every `--every` seconds and once more on Ctrl+C or SIGTERM.
 *
 * @module
 */
import { ExitCode, exitWithError, UsageError } from "../lib/cli/cli_error.ts";
import { formatHostPort } from "../lib/cli/host_port.ts";
import { runCli } from "../lib/app/run_cli.ts";
import { formatRelayCounters } from "./impair/format_relay_counters.ts";
import { ImpairRelay } from "./impair/impair_relay.ts";
import { describeLinkProfile, resolveLinkProfile } from "./impair/link_profile.ts";
import { parseRelayArgs, RELAY_HELP, type RelayArgs } from "./impair/relay_args.ts";

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseRelayArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    exitWithError(error.message, ExitCode.USAGE);
  }
  if (parsed.help) return console.log(RELAY_HELP);
  const args = parsed;
  await runCli((signal) => relay(args, signal), {
    address: `udp://${formatHostPort(args.listen)}`,
    flag: "--listen",
  });
}

/** Relays until `signal` aborts, printing the counters as it goes and once at the end. */
async function relay(args: RelayArgs, signal: AbortSignal): Promise<void> {
  const relay = new ImpairRelay({
    listen: args.listen,
    target: args.target,
    seed: args.seed,
    up: args.up,
    down: args.down,
    idleMs: args.idleMs,
  });
  let ticker: ReturnType<typeof setInterval> | undefined;
  try {
    const listen = formatHostPort(relay.addr);
    const target = formatHostPort(args.target);
    console.log(
      args.json
        ? JSON.stringify({
          event: "start",
          listen,
          target,
          seed: args.seed,
          up: resolveLinkProfile(args.up),
          down: resolveLinkProfile(args.down),
        })
        : `impair relay: udp://${listen} -> udp://${target}, seed ${args.seed}, ` +
          `up: ${describeLinkProfile(args.up)}, down: ${describeLinkProfile(args.down)}`,
    );
    const report = () => {
      const counters = relay.counters;
      console.log(
        args.json
          ? JSON.stringify({ event: "counters", time: new Date().toISOString(), ...counters })
          : formatRelayCounters(counters),
      );
    };
    if (args.everySeconds > 0) ticker = setInterval(report, args.everySeconds * 1000);
    if (!signal.aborted) {
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    }
    clearInterval(ticker);
    report();
  } finally {
    clearInterval(ticker);
    await relay.close();
  }
}

if (import.meta.main) await main(Deno.args);
