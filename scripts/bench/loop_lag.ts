import type { LogLine } from "../../tests/_tool.ts";

/** A tool's event-loop lag as it reports it, in ms: its worst and p99 over its window. */
export interface LoopLag {
  max: number;
  p99: number;
}

/** Reads an `eventLoopLagMs` field, `{ max, p99 }`; undefined if absent or of another shape. */
export function readLoopLag(value: unknown): LoopLag | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { max, p99 } = value as Record<string, unknown>;
  return typeof max === "number" && typeof p99 === "number" ? { max, p99 } : undefined;
}

/**
 * The sender's lag from its latest `stats` event (logged every 5 s with
 * `--log json`), at the top of the event or in its `stats`; undefined if none says.
 */
export function senderLoopLag(events: readonly LogLine[]): LoopLag | undefined {
  const line = events.findLast((event) => event.event === "stats");
  if (line === undefined) return undefined;
  const stats = line.stats as Record<string, unknown> | undefined;
  return readLoopLag(line.eventLoopLagMs) ?? readLoopLag(stats?.eventLoopLagMs);
}

/** `max / p99` to a tenth of a ms, or `n/a` when the tool did not say. */
export function formatLoopLag(lag: LoopLag | undefined): string {
  return lag === undefined ? "n/a" : `${lag.max.toFixed(1)} / ${lag.p99.toFixed(1)}`;
}
