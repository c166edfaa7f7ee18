/**
 * udpcam sender: captures video (a camera, a file or URL through ffmpeg, or
 * the built-in test pattern) and streams it over UDP to udpcam receivers.
 *
 * @module
 */
import config from "./deno.json" with { type: "json" };
import { ExitCode, exitWithError, UsageError } from "./lib/cli/cli_error.ts";
import { listCameras } from "./lib/capture/camera_list.ts";
import { resolveFfmpegPath } from "./lib/ffmpeg/ffmpeg_path.ts";
import { formatHostPort } from "./lib/cli/host_port.ts";
import { describeError, runCli } from "./lib/app/run_cli.ts";
import { runSender } from "./lib/app/run_sender.ts";
import { parseSenderArgs, type SenderArgs } from "./lib/app/sender_args.ts";
import { SENDER_HELP } from "./lib/app/sender_help.ts";

async function main(argv: string[]): Promise<void> {
  let args: SenderArgs;
  try {
    args = parseSenderArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    exitWithError(error.message, ExitCode.USAGE);
  }
  if (args.help) return console.log(SENDER_HELP);
  if (args.version) return console.log(`udpcam sender ${config.version}`);
  if (args.listCameras) {
    try {
      const ffmpeg = resolveFfmpegPath(args.ffmpeg, Deno.env.get("FFMPEG"));
      const cameras = await listCameras({ ffmpeg, os: Deno.build.os });
      if (cameras.length === 0) console.log("No camera found.");
      for (const camera of cameras) console.log(`camera:${camera.id}\t${camera.name}`);
      return;
    } catch (error) {
      exitWithError(...describeError(error));
    }
  }
  await runCli((signal) => runSender(args, signal), {
    address: `UDP ${formatHostPort(args.listen)}`,
    flag: "--listen",
  });
}

if (import.meta.main) await main(Deno.args);
