import { isIP } from "node:net";
import { UsageError } from "./cli_error.ts";

/** A host and port, as given on the command line. */
export interface HostPort {
  /** A name or an address; IPv6 without brackets. */
  hostname: string;
  /** 0 to 65535; 0 picks a free port. */
  port: number;
}

/**
 * Reads `HOST:PORT`, `HOST`, `:PORT` or `[IPV6]:PORT`, filling what is missing
 * from `fallback`. Throws a {@linkcode UsageError} naming `flag` when it cannot.
 */
export function parseHostPort(text: string, fallback: HostPort, flag: string): HostPort {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  let host: string;
  let port: string | undefined;
  if (bracketed) {
    [, host, port] = bracketed;
  } else if ((text.match(/:/g) ?? []).length > 1) {
    host = text; // a bare IPv6 address
  } else {
    const colon = text.lastIndexOf(":");
    host = colon === -1 ? text : text.slice(0, colon);
    port = colon === -1 ? undefined : text.slice(colon + 1);
  }
  const hostname = host === "" ? fallback.hostname : host;
  if (port === undefined || port === "") return { hostname, port: fallback.port };
  const number = Number(port);
  if (!/^\d+$/.test(port) || number > 65535) {
    throw new UsageError(`${flag} needs HOST:PORT with a port from 0 to 65535, got "${text}"`);
  }
  return { hostname, port: number };
}

/** Formats a host and port for people and URLs, bracketing IPv6. */
export function formatHostPort({ hostname, port }: HostPort): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/**
 * Whether `hostname` (a name or an address, IPv6 without brackets) is this
 * machine's loopback: `localhost`, 127.0.0.0/8 or ::1.
 */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase();
  if (name === "localhost") return true;
  switch (isIP(name)) {
    case 4:
      return name.startsWith("127.");
    case 6:
      try {
        return new URL(`http://[${name}]/`).hostname === "[::1]";
      } catch {
        return false;
      }
    default:
      return false;
  }
}
