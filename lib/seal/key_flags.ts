import { UsageError } from "../cli/cli_error.ts";
import { SHORT_KEY_LENGTH } from "./stream_secret.ts";

/** The environment variable that holds the key when no flag gives one. */
export const KEY_ENV = "UDPCAM_KEY";

/** The `parseArgs` options for `--key` and `--key-file`, shared by both tools. */
export const KEY_FLAGS = {
  key: { type: "string" },
  "key-file": { type: "string" },
} as const;

/** Where the key comes from, as given on the command line. */
export interface KeyArgs {
  /** `--key SECRET`. */
  key?: string;
  /** `--key-file PATH`. */
  keyFile?: string;
}

/** The help lines for the key flags, the same in both tools. */
export const KEY_HELP =
  `  --key SECRET         seal every datagram (AES-GCM) with a secret both sides
                       share; only a receiver with the same key gets video
  --key-file PATH      the same, read from a file (its first line); keeps the
                       secret out of shell history. Or set ${KEY_ENV}`;

/** Reads `--key` and `--key-file`; throws a {@linkcode UsageError} on a mistake. */
export function parseKeyFlags(values: { key?: string; "key-file"?: string }): KeyArgs {
  if (values.key !== undefined && values["key-file"] !== undefined) {
    throw new UsageError("give the key once: --key or --key-file");
  }
  if (values.key !== undefined && values.key.trim() === "") {
    throw new UsageError("--key is empty; give a secret, or drop --key");
  }
  if (values["key-file"] === "") throw new UsageError("--key-file needs a path");
  return { key: values.key, keyFile: values["key-file"] };
}

/** A key found, with where it came from. */
export interface FoundKey {
  secret: string;
  from: "--key" | "--key-file" | typeof KEY_ENV;
  /** A warning to log, if any (a short key). */
  warning?: string;
}

/**
 * The key to use: `--key`, else the first line of `--key-file`, else
 * `UDPCAM_KEY`; `undefined` for none. Throws a {@linkcode UsageError} for a
 * key file that cannot be read or is empty.
 */
export async function findKey(
  args: KeyArgs,
  env: (name: string) => string | undefined = readEnv,
): Promise<FoundKey | undefined> {
  let found: FoundKey | undefined;
  if (args.key !== undefined) {
    found = { secret: args.key, from: "--key" };
  } else if (args.keyFile !== undefined) {
    let text: string;
    try {
      text = await Deno.readTextFile(args.keyFile);
    } catch (error) {
      // Deno refuses paths under /dev, /proc and /sys, /dev/stdin too, without --allow-all.
      const why = error instanceof Deno.errors.NotFound
        ? "no such file"
        : error instanceof Deno.errors.NotCapable
        ? "the tools may not read under /dev, /proc or /sys; use a regular file, or UDPCAM_KEY"
        : (error as Error).name;
      throw new UsageError(`cannot read the key file ${args.keyFile}: ${why}`);
    }
    const secret = text.split(/\r?\n/, 1)[0].trim();
    if (secret === "") throw new UsageError(`the key file ${args.keyFile} is empty`);
    found = { secret, from: "--key-file" };
  } else {
    const secret = env(KEY_ENV)?.trim();
    if (secret) found = { secret, from: KEY_ENV };
  }
  if (found !== undefined && [...found.secret].length < SHORT_KEY_LENGTH) {
    found.warning = `the key is shorter than ${SHORT_KEY_LENGTH} characters and could be ` +
      "guessed from captured traffic: use a long random one, such as `openssl rand -base64 24`";
  }
  return found;
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    // Not allowed to read it: there is no key from the environment.
    return undefined;
  }
}
