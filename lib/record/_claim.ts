/**
 * Claiming the names a recording writes to: a file is created, empty, before
 * ffmpeg writes it, so that no recording ever overwrites one.
 *
 * @module
 */
import { dirname } from "node:path";
import { timestampedPath } from "./record_args.ts";

/** How many names with a suffix a restart tries when its name is taken. */
const MAX_NAME_SUFFIX = 99;

/** Creates `path`, empty, to claim its name; refuses one that exists. */
export async function claim(path: string): Promise<void> {
  try {
    const file = await Deno.open(path, { createNew: true, write: true });
    file.close();
  } catch (error) {
    throw claimError(path, error);
  }
}

/** Claims `path` with `date` in its name, adding `-2`, `-3`, ... while the name is taken. */
export function claimTimestamped(path: string, date: Date): Promise<string> {
  return claimFree((suffix) => timestampedPath(path, date, suffix));
}

/** Claims the first free name of `named(1)`, `named(2)`, ...; returns it. */
export async function claimFree(named: (suffix: number) => string): Promise<string> {
  for (let suffix = 1; suffix <= MAX_NAME_SUFFIX; suffix++) {
    const candidate = named(suffix);
    try {
      const file = await Deno.open(candidate, { createNew: true, write: true });
      file.close();
      return candidate;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw claimError(candidate, error);
    }
  }
  throw new Error(`cannot record: every name like ${named(1)} is taken`);
}

/** Checks that segments can go where `path` says, and that the first name is free. */
export async function checkSegmentFolder(path: string, date: Date): Promise<void> {
  const folder = dirname(path);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(folder);
  } catch (error) {
    throw claimError(path, error);
  }
  if (!info.isDirectory) throw new Error(`cannot record to ${path}: ${folder} is not a folder`);
  const first = timestampedPath(path, date);
  if (await exists(first)) {
    throw new Error(`${first} already exists: recording never overwrites a file`);
  }
}

/** The error that says why `path` cannot be recorded to, from the one that stopped it. */
export function claimError(path: string, error: unknown): Error {
  if (error instanceof Deno.errors.AlreadyExists) {
    return new Error(
      `${path} already exists: recording never overwrites a file; give another name, or move it away`,
    );
  }
  if (error instanceof Deno.errors.NotFound) {
    return new Error(`cannot record to ${path}: its folder ${dirname(path)} does not exist`);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new Error(`cannot record to ${path}: permission denied`);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`cannot record to ${path}: ${reason}`, { cause: error });
}

/** Whether anything, even a dangling link, is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Removes a file the recorder claimed but ffmpeg never wrote to. */
export async function removeIfEmpty(path: string): Promise<void> {
  try {
    if ((await Deno.stat(path)).size === 0) await Deno.remove(path);
  } catch {
    // Gone already, or not ours to remove.
  }
}
