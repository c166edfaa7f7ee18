import { findKey, type FoundKey, type KeyArgs } from "../seal/key_flags.ts";
import { LoopLagMeter } from "../metrics/loop_lag_meter.ts";
import { StreamKey } from "../seal/stream_key.ts";
import type { StreamSecret } from "../seal/stream_secret.ts";

/** What the start-up before the sockets gives a tool. */
export interface PreparedStart {
  /** The key, if one was given, and where from. */
  key: FoundKey | undefined;
  /** The key, ready to be stretched. */
  streamKey: StreamKey | undefined;
  /** The key stretched, if the tool's `stretch` gave it. */
  secret: StreamSecret | undefined;
  /** The tool's event-loop lag, measured from the end of this start-up on. */
  loopLag: LoopLagMeter;
}

/** Options for {@linkcode prepareStart}. */
export interface PrepareStartOptions {
  /**
   * Stretches the key, while the worker loads: a sender with a salt of its
   * run's own, a receiver with the salt its sender names if it answers in
   * time. Given the key and the worker's loading, which it may stop at.
   * @default none: the key is not stretched here
   */
  stretch?: (
    key: StreamKey,
    workerReady: Promise<void>,
  ) => Promise<StreamSecret | undefined>;
  /**
   * Work that only readies the tool, run while the worker loads, when the
   * thread is idle: waited for too, so it must bound its own time. Its
   * failure is ignored.
   * @default none
   */
  warm?: () => Promise<unknown>;
}

/**
 * The start-up both tools do before their sockets exist, since each step
 * holds the tool up and nothing can be lost before a socket exists: find the
 * key, wait for the drawing worker to load (`workerReady`) while `stretch`
 * stretches the key (scrypt, 0.1 to 0.25 s by design, in the thread pool),
 * then start the lag meter. The caller closes `loopLag` when it is done.
 *
 * @param workerReady Resolves once the tool's drawing worker has loaded, if it has one.
 * @param args The tool's key flags.
 * @param options How to stretch the key.
 * @throws {UsageError} For a key file that cannot be read or is empty, as {@linkcode findKey}.
 */
export async function prepareStart(
  workerReady: Promise<void> | undefined,
  args: KeyArgs,
  options: PrepareStartOptions = {},
): Promise<PreparedStart> {
  // Watched from here on: a key error below leaves it unawaited, and the
  // caller's closing of the worker then fails it.
  workerReady?.catch(() => {});
  const key = await findKey(args);
  const streamKey = key === undefined ? undefined : new StreamKey(key.secret);
  const ready = workerReady ?? Promise.resolve();
  const warming = options.warm?.().catch(() => {});
  const [, secret] = await Promise.all([
    ready,
    streamKey === undefined ? undefined : options.stretch?.(streamKey, ready),
  ]);
  await warming;
  return { key, streamKey, secret, loopLag: new LoopLagMeter() };
}
