import { UsageError } from "../cli/cli_error.ts";
import type { HostPort } from "../cli/host_port.ts";
import type { Logger } from "../cli/logger.ts";
import { discoverSenders, type FoundSender } from "../discover/discover_senders.ts";
import { DEFAULT_SENDER } from "./receiver_args.ts";
import { VERSION } from "../wire/header.ts";

/** One line for a sender found: its name, address, and whether it needs a key. */
export function foundSenderLine(sender: FoundSender): string {
  const other = sender.version !== undefined && sender.version !== VERSION
    ? `\tspeaks protocol ${sender.version}, not ${VERSION}: update one side`
    : "";
  return `${sender.name}\t${sender.address}:${sender.port}\t${
    sender.keyed ? "needs a key" : "no key"
  }${other}`;
}

/**
 * Which sender to join when none was named, from those found on the LAN: the
 * one there is; with several, the one `ask` picks (a person at a terminal),
 * or a usage error listing them; with none, this machine's port 8080.
 *
 * @param ask Asks a person which, by number from 1; `undefined` where no one can answer.
 */
export function chooseSender(
  found: readonly FoundSender[],
  ask: ((question: string) => string | null) | undefined,
): { address: HostPort; sender?: FoundSender } {
  if (found.length === 0) return { address: DEFAULT_SENDER };
  if (found.length === 1) return pick(found[0]);
  const list = found.map((sender, i) => `  ${i + 1}. ${foundSenderLine(sender)}`).join("\n");
  if (ask !== undefined) {
    const answer = ask(`Senders on this network:\n${list}\nJoin which? [1-${found.length}]`);
    const index = Number(answer);
    if (Number.isInteger(index) && index >= 1 && index <= found.length) {
      return pick(found[index - 1]);
    }
  }
  const names = found.map((sender) => `${sender.name} (receiver ${sender.address}:${sender.port})`)
    .join(", ");
  throw new UsageError(`${found.length} senders on this network, ${names}: give one's address`);
}

function pick(sender: FoundSender): { address: HostPort; sender: FoundSender } {
  return { address: { hostname: sender.address, port: sender.port }, sender };
}

/**
 * The sender to join when none was named: found on the LAN (about 1 s when
 * one answers, 3 s when none does), and said in the log.
 */
export async function findSender(logger: Logger, keyGiven: boolean): Promise<HostPort> {
  // Only senders of this protocol: another version could not be joined.
  const found = (await discoverSenders()).filter((sender) =>
    sender.version === undefined || sender.version === VERSION
  );
  // prompt() asks on stdout and waits on stdin: a person must be at both.
  const interactive = logger.format === "text" && Deno.stdin.isTerminal() &&
    Deno.stdout.isTerminal();
  const { address, sender } = chooseSender(found, interactive ? prompt : undefined);
  if (sender === undefined) {
    logger.event(
      "discovered",
      "no sender announces itself on this network; trying this machine's 127.0.0.1:8080",
      { senders: [] },
    );
    return address;
  }
  logger.event(
    "discovered",
    `found sender ${sender.name} at ${sender.address}:${sender.port} on this network`,
    { name: sender.name, address: `${sender.address}:${sender.port}`, keyed: sender.keyed },
  );
  if (sender.keyed && !keyGiven) {
    logger.warn(`${sender.name} needs a key: give this receiver the same --key or --key-file`);
  }
  return address;
}

/** `receiver --discover`: the senders announcing themselves on the LAN, a line each on stdout. */
export async function listSenders(): Promise<void> {
  const found = await discoverSenders();
  if (found.length === 0) console.log("No sender found on this network.");
  for (const sender of found) console.log(foundSenderLine(sender));
}
