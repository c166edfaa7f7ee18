/**
 * The census, which the soak preloads into each tool (`deno run --preload`)
 * to see what only the process itself can: every second it appends one JSON
 * line, a {@linkcode CensusLine}, to the file named by `UDPCAM_CENSUS`, with
 * the JS heap in use (and the memory outside it that JS objects hold), the
 * live timers and the open Deno resources. Without that variable (or the
 * permission to read it) it does nothing.
 *
 * Timers are counted by wrapping `setTimeout`, `setInterval`, `clearTimeout`
 * and `clearInterval` on `globalThis` before the tool's own modules run: a
 * timeout is live until it fires or is cleared, an interval until it is
 * cleared. Timers the runtime sets for itself, outside `globalThis`, are not
 * seen. Resources come from `Deno[Deno.internal].core.resources()`, an
 * internal API: where it is missing the count is null.
 *
 * The census's own interval is neither counted nor keeps the tool alive, and
 * the file is opened only for each write, so it adds no descriptor between
 * writes. A write that fails (the bench has gone) is dropped.
 *
 * @module
 */
import { CENSUS_ENV, type CensusLine } from "./census_line.ts";

const CENSUS_INTERVAL_MS = 1000;

type TimerCallback = (...args: unknown[]) => void;
type Timer = ReturnType<typeof setTimeout>;

// Kept before any wrapping, so that the census's own interval is not counted.
const untrackedSetInterval = globalThis.setInterval;

const path = censusPath();
if (path !== undefined) startCensus(path);

function censusPath(): string | undefined {
  try {
    return Deno.env.get(CENSUS_ENV) || undefined;
  } catch {
    // No --allow-env for the variable: the tool runs as it would without us.
    return undefined;
  }
}

function startCensus(path: string): void {
  const live = countTimers();
  const write = () => {
    const memory = Deno.memoryUsage();
    const line: CensusLine = {
      at: Date.now(),
      heapUsed: memory.heapUsed,
      external: memory.external,
      timers: live.size,
      resources: resourceCount(),
    };
    try {
      Deno.writeTextFileSync(path, `${JSON.stringify(line)}\n`, { append: true });
    } catch {
      // The file's folder is gone with the bench; the tool carries on.
    }
  };
  write();
  Deno.unrefTimer(untrackedSetInterval(write, CENSUS_INTERVAL_MS));
}

/** Replaces the global timer functions with ones that keep the live timers' ids in the set returned. */
function countTimers(): ReadonlySet<number> {
  const native = {
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    clearTimeout: globalThis.clearTimeout,
    clearInterval: globalThis.clearInterval,
  };
  const live = new Set<number>();
  // A timer converts to its numeric id, and both clear functions accept either.
  function setTimeout(callback: unknown, delay?: number, ...args: unknown[]): Timer {
    if (typeof callback !== "function") {
      return native.setTimeout(callback as TimerCallback, delay, ...args);
    }
    const timer: Timer = native.setTimeout(
      (...values: unknown[]) => {
        live.delete(Number(timer));
        callback(...values);
      },
      delay,
      ...args,
    );
    live.add(Number(timer));
    return timer;
  }
  function setInterval(callback: unknown, delay?: number, ...args: unknown[]): Timer {
    const timer = native.setInterval(callback as TimerCallback, delay, ...args);
    live.add(Number(timer));
    return timer;
  }
  function clearTimeout(timer?: unknown): void {
    if (timer !== undefined && timer !== null) live.delete(Number(timer));
    native.clearTimeout(timer as Timer);
  }
  function clearInterval(timer?: unknown): void {
    if (timer !== undefined && timer !== null) live.delete(Number(timer));
    native.clearInterval(timer as Timer);
  }
  Object.assign(globalThis, { setTimeout, setInterval, clearTimeout, clearInterval });
  return live;
}

interface DenoCore {
  resources?: () => Record<string, string>;
}

function resourceCount(): number | null {
  try {
    const deno = Deno as unknown as { internal?: symbol } & Record<symbol, { core?: DenoCore }>;
    const core = deno.internal === undefined ? undefined : deno[deno.internal]?.core;
    return typeof core?.resources === "function" ? Object.keys(core.resources()).length : null;
  } catch {
    return null;
  }
}
