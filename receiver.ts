/**
 * udpcam receiver: joins a udpcam sender, puts its frames back together, and
 * serves them on a local HTTP preview (page, MJPEG stream, snapshot, stats).
 *
 * @module
 */
import config from "./deno.json" with { type: "json" };
import { ExitCode, exitWithError, UsageError } from "./lib/cli/cli_error.ts";
import { formatHostPort } from "./lib/cli/host_port.ts";
import { parseReceiverArgs, type ReceiverArgs } from "./lib/app/receiver_args.ts";
import { RECEIVER_HELP } from "./lib/app/receiver_help.ts";
import { runCli } from "./lib/app/run_cli.ts";
import { listSenders } from "./lib/app/choose_sender.ts";
import { runReceiver } from "./lib/app/run_receiver.ts";

function main(argv: string[]): Promise<void> | void {
  let args: ReceiverArgs;
  try {
    args = parseReceiverArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    exitWithError(error.message, ExitCode.USAGE);
  }
  if (args.help) return console.log(RECEIVER_HELP);
  if (args.version) return console.log(`udpcam receiver ${config.version}`);
  if (args.discover) return listSenders();
  return runCli((signal) => runReceiver(args, signal), {
    address: `HTTP ${formatHostPort(args.http)}`,
    flag: "--http",
  });
}

if (import.meta.main) await main(Deno.args);
