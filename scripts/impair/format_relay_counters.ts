import type { ImpairRelayCounters, RelayDirectionCounters } from "./impair_relay.ts";

/**
 * Formats the relay's counters as one line of text, such as
 *
 *     up: 310 packets, 0 lost, 310 sent | down: 9800 packets, 490 lost (402 in bursts),
 *     9310 sent | 1 client
 *
 * (on one line). Counts that stay zero on a clean link are left out.
 */
export function formatRelayCounters(counters: ImpairRelayCounters): string {
  const clients = `${counters.clients} client${counters.clients === 1 ? "" : "s"}`;
  const strangers = counters.strangers > 0 ? `, ${counters.strangers} strangers` : "";
  return `up: ${direction(counters.up)} | down: ${
    direction(counters.down)
  } | ${clients}${strangers}`;
}

function direction(c: RelayDirectionCounters): string {
  const parts = [`${c.packets} packets`, `${c.lost} lost`];
  if (c.burstLost > 0) parts[1] += ` (${c.burstLost} in bursts)`;
  if (c.queueDrops > 0) parts.push(`${c.queueDrops} queue drops`);
  if (c.duplicated > 0) parts.push(`${c.duplicated} duplicated`);
  if (c.reordered > 0) parts.push(`${c.reordered} reordered`);
  if (c.overflowDrops > 0) parts.push(`${c.overflowDrops} overflow drops`);
  parts.push(`${c.sent} sent`);
  if (c.sendErrors > 0) parts.push(`${c.sendErrors} send errors`);
  return parts.join(", ");
}
