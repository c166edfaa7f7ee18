import { parseIpv4 } from "./ipv4_address.ts";

/** The part of `Deno.NetworkInterfaceInfo` read here. */
export interface InterfaceAddress {
  family: "IPv4" | "IPv6";
  address: string;
}

/**
 * The IPv4 addresses another machine reaches a socket bound to `hostname`
 * at: the address itself when one is given, else (`0.0.0.0`, or none) every
 * address of the machine's interfaces but loopback, home networks first
 * (192.168/16, then 10/8, then 172.16/12, where container bridges live),
 * then the rest; loopback alone when there is nothing else.
 *
 * @param interfaces As `Deno.networkInterfaces()` lists them.
 */
export function reachableAddresses(
  hostname: string,
  interfaces: readonly InterfaceAddress[],
): string[] {
  if (hostname !== "" && hostname !== "0.0.0.0") return [hostname];
  const found = interfaces
    .filter((entry) => entry.family === "IPv4" && !entry.address.startsWith("127."))
    .map((entry) => entry.address)
    .filter((address, i, all) => all.indexOf(address) === i && parseIpv4(address) !== undefined);
  if (found.length === 0) return ["127.0.0.1"];
  return found
    .map((address, i) => ({ address, rank: rankOf(address), i }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((entry) => entry.address);
}

function rankOf(address: string): number {
  const [a, b] = address.split(".").map(Number);
  if (a === 192 && b === 168) return 0;
  if (a === 10) return 1;
  if (a === 172 && b >= 16 && b <= 31) return 2;
  return 3;
}

/** This machine's network interfaces, or none where they cannot be read (no permission). */
export function readNetworkInterfaces(): Deno.NetworkInterfaceInfo[] {
  try {
    return Deno.networkInterfaces();
  } catch {
    return [];
  }
}
