import { isIP } from "node:net";
import { UsageError } from "../cli/cli_error.ts";

/** Turns a host name into an address once, so replies can be matched to it. */
export async function resolveHost(hostname: string): Promise<string> {
  if (isIP(hostname) !== 0) return hostname;
  if (hostname === "localhost") return "127.0.0.1";
  if (/^[\d.]+$/.test(hostname)) {
    throw new UsageError(`"${hostname}" is not an IPv4 address; give the sender as HOST[:PORT]`);
  }
  for (const type of ["A", "AAAA"] as const) {
    try {
      const [address] = await Deno.resolveDns(hostname, type);
      if (address !== undefined) return address;
    } catch {
      // Try the next record type.
    }
  }
  throw new Error(`cannot resolve the sender's host name "${hostname}"`);
}
