/** The environment variable that names the file the census appends to. */
export const CENSUS_ENV = "UDPCAM_CENSUS";

/** What the census saw inside a tool at one moment: one JSON line of its file. */
export interface CensusLine {
  /** When, in ms since the epoch. */
  at: number;
  /** The JS heap in use, bytes (`Deno.memoryUsage().heapUsed`). */
  heapUsed: number;
  /** Memory outside the JS heap that JS objects hold, such as array buffers, bytes. */
  external: number;
  /** Timeouts not yet fired or cleared, and intervals not yet cleared. */
  timers: number;
  /** Open Deno resources; null where the runtime does not say. */
  resources: number | null;
}

/**
 * The last whole line of a census file, or undefined when it has none yet.
 * A line still being written, without its newline, is left out.
 */
export function lastCensusLine(text: string): CensusLine | undefined {
  const end = text.lastIndexOf("\n");
  if (end === -1) return undefined;
  const line = text.slice(text.lastIndexOf("\n", end - 1) + 1, end);
  return JSON.parse(line);
}
