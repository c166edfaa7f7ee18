import { findKey, type FoundKey, type KeyArgs } from "./key_flags.ts";
import { LoopLagMeter } from "./loop_lag_meter.ts";
import { StreamKey } from "./stream_key.ts";
import { StreamSecret } from "./stream_secret.ts";

/** What the start-up before the sockets gives a tool. */
export interface PreparedStart {
  /** The key, if one was given, and where from. */
  key: FoundKey | undefined;
  /** The key, ready to be stretched. */
  streamKey: StreamKey | undefined;
  /** The key stretched with a fresh salt, if the tool asked for it (a sender). */
  secret: StreamSecret | undefined;
  /** The tool's event-loop lag, measured from the end of this start-up on. */
  loopLag: LoopLagMeter;
}

/** Options for {@linkcode prepareStart}. */
export interface PrepareStartOptions {
  /**
   * Stretch the key with a fresh salt, as a sender's run does.
   * @default {false}
   */
  stretch?: boolean;
}

/**
 * The start-up both tools do before their sockets exist, since each step
 * holds the tool up and nothing can be lost before a socket exists: wait
 * for the drawing worker to load (`workerReady`), find the key and, for a
 * sender, stretch it with its run's salt (scrypt, 0.1 to 0.25 s by design,
 * in the thread pool), then start the lag meter. A receiver stretches the
 * key later, with the salt its sender names, without holding its event
 * loop up. The caller closes `loopLag` when it is done.
 *
 * @param workerReady Resolves once the tool's drawing worker has loaded, if it has one.
 * @param args The tool's key flags.
 * @param options Whether to stretch the key now.
 * @throws {UsageError} For a key file that cannot be read or is empty, as {@linkcode findKey}.
 */
export async function prepareStart(
  workerReady: Promise<void> | undefined,
  args: KeyArgs,
  options: PrepareStartOptions = {},
): Promise<PreparedStart> {
  await workerReady;
  const key = await findKey(args);
  const streamKey = key === undefined ? undefined : new StreamKey(key.secret);
  const secret = streamKey !== undefined && options.stretch
    ? await streamKey.stretch(StreamSecret.salt())
    : undefined;
  return { key, streamKey, secret, loopLag: new LoopLagMeter() };
}
