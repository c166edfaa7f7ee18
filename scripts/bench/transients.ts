import { wallClock } from "../../lib/util/clock.ts";
import type { ImpairRelay } from "../impair/impair_relay.ts";
import { delay } from "./abortable.ts";
import { readAdaptations } from "./adaptation_log.ts";
import type { BenchClip } from "./bench_clip.ts";
import { BASE_LINK } from "./loss_rows.ts";
import { receiverStats, waitLive } from "./receiver_stats.ts";
import { type Pair, startPair } from "./start_pair.ts";
import { StatsSampler } from "./stats_sampler.ts";
import { summarizeTransient, type TransientResult } from "./transient_summary.ts";

/** One transient: what it does to a running stream, and for how long. */
export interface Transient {
  /** A short name. */
  id: string;
  /** What it does, in words. */
  label: string;
}

/** The transients, in the order they run. */
export const TRANSIENTS: readonly Transient[] = [
  { id: "receiver-stop", label: "receiver stopped (SIGSTOP) for 1 s" },
  { id: "sender-stop", label: "sender stopped (SIGSTOP) for 1 s" },
  { id: "blackout", label: "2 s blackout, both ways" },
  { id: "delay-step", label: "+50 ms one-way delay down, to stay" },
  { id: "cap", label: "cap at half the bitrate, 100 ms queue, for 10 s" },
];

/** Options for {@linkcode runTransients}. */
export interface TransientsOptions {
  /** The transients to run, in order. @default {TRANSIENTS} */
  transients?: readonly Transient[];
  /** Seconds of streaming, from the sender's first frame, before the transient. @default {8} */
  leadSeconds?: number;
  /** Seconds watched after the transient's end. @default {20} */
  watchSeconds?: number;
  /** Aborts the runs; every tool is stopped all the same. */
  signal: AbortSignal;
  /** Called before each run. */
  progress: (message: string) => void;
}

/**
 * Runs each transient on a stream of its own: a sender of the clip and a
 * receiver started together through the impairment relay (a clean link on
 * {@linkcode BASE_LINK}), a viewer on `/stream.mjpg`, the receiver's `/stats`
 * read every 250 ms; after `leadSeconds` of streaming, the transient; then
 * `watchSeconds` more.
 */
export async function runTransients(
  clip: BenchClip,
  options: TransientsOptions,
): Promise<TransientResult[]> {
  const results: TransientResult[] = [];
  for (const transient of options.transients ?? TRANSIENTS) {
    options.progress(transient.label);
    results.push(await measureTransient(clip, transient, options));
  }
  return results;
}

async function measureTransient(
  clip: BenchClip,
  transient: Transient,
  options: TransientsOptions,
): Promise<TransientResult> {
  const { signal, leadSeconds = 8, watchSeconds = 20 } = options;
  const pair = await startPair({
    senderArgs: ["--source", clip.path, "--loop"],
    receiverArgs: ["--nack", "on"],
    relay: { profile: BASE_LINK, seed: 1 },
    viewerSeconds: leadSeconds + watchSeconds + 60,
    signal,
  });
  const sampler = new StatsSampler(pair.url);
  const stopped = new Set<Deno.ChildProcess>();
  try {
    await waitLive(pair.url, { signal, timeoutMs: 30_000 });
    const streaming = Date.parse(String(pair.senderListening.time));
    await delay(Math.max(0, streaming + leadSeconds * 1000 - wallClock()), signal);
    let streamMbps: number | undefined;
    if (transient.id === "cap") streamMbps = (await receiverStats(pair.url)).bitrateMbps;
    const startAt = wallClock();
    await apply(transient, { pair, stopped, streamMbps, signal });
    const endAt = wallClock();
    await delay(watchSeconds * 1000, signal);
    await sampler.stop();
    if (pair.viewer.error !== undefined) throw pair.viewer.error;
    return summarizeTransient({
      id: transient.id,
      label: transient.label,
      startAt,
      endAt,
      samples: sampler.samples,
      adaptations: readAdaptations(pair.sender.events),
      partTimes: pair.viewer.parts.map((part) => part.readAt),
      streamMbps,
      delayStep: transient.id === "delay-step",
    });
  } finally {
    for (const child of stopped) resume(child);
    await sampler.stop();
    await pair.stop();
  }
}

/** What {@linkcode apply} works on. */
interface ApplyContext {
  pair: Pair;
  /** The processes stopped and not yet resumed, for the caller to resume if it throws. */
  stopped: Set<Deno.ChildProcess>;
  /** The stream's Mbit/s, for a cap. */
  streamMbps: number | undefined;
  signal: AbortSignal;
}

/** Applies the transient and resolves at its end. */
async function apply(transient: Transient, context: ApplyContext): Promise<void> {
  const { pair, stopped, signal } = context;
  const relay: ImpairRelay = pair.relay!;
  switch (transient.id) {
    case "receiver-stop":
    case "sender-stop": {
      const child = transient.id === "sender-stop" ? pair.sender.child : pair.receiver.child;
      Deno.kill(child.pid, "SIGSTOP");
      stopped.add(child);
      await delay(1000, signal);
      resume(child);
      stopped.delete(child);
      return;
    }
    case "blackout":
      relay.blackout = true;
      try {
        await delay(2000, signal);
      } finally {
        relay.blackout = false;
      }
      return;
    case "delay-step":
      relay.impair("down", { ...BASE_LINK, delayMs: (BASE_LINK.delayMs ?? 0) + 50 });
      return;
    case "cap": {
      const capped = { ...BASE_LINK, rateMbps: context.streamMbps! / 2, queueMs: 100 };
      relay.impair("up", capped);
      relay.impair("down", capped);
      try {
        await delay(10_000, signal);
      } finally {
        relay.impair("up", BASE_LINK);
        relay.impair("down", BASE_LINK);
      }
      return;
    }
    default:
      throw new Error(`no transient "${transient.id}"`);
  }
}

function resume(child: Deno.ChildProcess): void {
  try {
    Deno.kill(child.pid, "SIGCONT");
  } catch {
    // Already gone.
  }
}
