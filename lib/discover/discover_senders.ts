import { openBonjour, printableName } from "./_bonjour.ts";
import { SERVICE_TYPE } from "./announce_sender.ts";

/** A sender heard on the LAN. */
export interface FoundSender {
  name: string;
  /** Its IPv4 address, as the announcement gives it. */
  address: string;
  port: number;
  /** Whether it needs a key. */
  keyed: boolean;
  /** The protocol version it speaks, if it says. */
  version?: number;
}

/** Options for {@linkcode discoverSenders}. */
export interface DiscoverOptions {
  /** How long to listen at most, in ms. @default {3000} */
  timeoutMs?: number;
  /**
   * Once one sender is heard, how long to listen on for others, in ms.
   * @default {600}
   */
  settleMs?: number;
}

/**
 * Browses the LAN for senders (`_udpcam._udp`) and resolves with those heard,
 * by name: after `settleMs` with no new one once one is heard, or after
 * `timeoutMs` with none. A sender announced more than once (several
 * interfaces) is listed once.
 */
export function discoverSenders(options: DiscoverOptions = {}): Promise<FoundSender[]> {
  const { timeoutMs = 3000, settleMs = 600 } = options;
  const found = new Map<string, FoundSender>();
  return new Promise((resolve) => {
    let settle: ReturnType<typeof setTimeout> | undefined;
    // No mDNS here (port 5353 refused, say): nothing found, the caller goes on.
    const bonjour = openBonjour(() => finish());
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      clearTimeout(settle);
      browser.stop();
      bonjour.destroy();
      resolve([...found.values()].sort((a, b) => a.name.localeCompare(b.name)));
    };
    const deadline = setTimeout(finish, timeoutMs);
    const browser = bonjour.find({ type: SERVICE_TYPE, protocol: "udp" }, (service) => {
      const sender = foundSender(service);
      if (sender === undefined) return;
      const id = `${sender.address}:${sender.port}`;
      if (found.has(id)) return;
      found.set(id, sender);
      clearTimeout(settle);
      settle = setTimeout(finish, settleMs);
    });
  });
}

/** The fields of an mDNS answer that {@linkcode foundSender} reads. */
export interface AnsweredService {
  name?: unknown;
  port?: unknown;
  addresses?: string[];
  referer?: { address?: string };
  txt?: unknown;
}

/** The sender an mDNS answer announces, or undefined for one with no IPv4 address. */
export function foundSender(service: AnsweredService): FoundSender | undefined {
  // The address the answer came from reached this machine; the others
  // announced (a container bridge, a VPN) may not.
  const ipv4 = /^\d+\.\d+\.\d+\.\d+$/;
  const referer = service.referer?.address;
  const address = referer !== undefined && ipv4.test(referer)
    ? referer
    : (service.addresses ?? []).find((a: string) => ipv4.test(a));
  if (address === undefined) return undefined;
  const txt = (service.txt ?? {}) as Record<string, string>;
  return {
    name: printableName(service.name),
    address,
    port: Number(service.port),
    keyed: txt.key === "yes",
    version: txt.v === undefined ? undefined : Number(txt.v),
  };
}
