import { findKey, type FoundKey, type KeyArgs } from "./key_flags.ts";
import { LoopLagMeter } from "./loop_lag_meter.ts";
import { StreamSecret } from "./stream_secret.ts";

/** What the start-up before the sockets gives a tool. */
export interface PreparedStart {
  /** The key, if one was given, and where from. */
  key: FoundKey | undefined;
  /** The key stretched, ready to seal and open datagrams. */
  secret: StreamSecret | undefined;
  /** The tool's event-loop lag, measured from the end of this start-up on. */
  loopLag: LoopLagMeter;
}

/**
 * The start-up both tools do before their sockets exist, since each step
 * holds the thread up and nothing can be lost before a socket exists: wait
 * for the drawing worker to load (`workerReady`), find the key and stretch
 * it (scrypt, a quarter of a second by design), then start the lag meter.
 * The caller closes `loopLag` when it is done.
 *
 * @param workerReady Resolves once the tool's drawing worker has loaded, if it has one.
 * @param args The tool's key flags.
 * @throws {UsageError} For a key file that cannot be read or is empty, as {@linkcode findKey}.
 */
export async function prepareStart(
  workerReady: Promise<void> | undefined,
  args: KeyArgs,
): Promise<PreparedStart> {
  await workerReady;
  const key = await findKey(args);
  const secret = key === undefined ? undefined : new StreamSecret(key.secret);
  return { key, secret, loopLag: new LoopLagMeter() };
}
