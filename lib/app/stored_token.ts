import { generateHttpToken, parseHttpToken } from "../preview/http_token.ts";

/** The preview's token, and whether it is kept for the next run. */
export interface StoredToken {
  token: string;
  /** The file it is kept in; `undefined` when it could not be kept (with why). */
  path?: string;
  /** Why it could not be kept, in words. */
  problem?: string;
}

/**
 * The user's config folder for udpcam, as each system has it: `%APPDATA%` on
 * Windows, `~/Library/Application Support` on macOS, `$XDG_CONFIG_HOME` or
 * `~/.config` elsewhere; `undefined` when the environment names none.
 */
export function configFolder(
  env: (name: string) => string | undefined,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  const home = env("HOME");
  if (os === "windows") {
    const appData = env("APPDATA");
    return appData === undefined ? undefined : `${appData}\\udpcam`;
  }
  if (os === "darwin") {
    return home === undefined ? undefined : `${home}/Library/Application Support/udpcam`;
  }
  const xdg = env("XDG_CONFIG_HOME");
  if (xdg !== undefined && xdg !== "") return `${xdg}/udpcam`;
  return home === undefined ? undefined : `${home}/.config/udpcam`;
}

/**
 * The preview's token beyond loopback, the same from run to run so that a
 * bookmark (on a phone, say) keeps working: read from `http-token` in the
 * config folder, or made and written there (readable by its owner alone) on
 * the first run. Two receivers starting at once agree: the file is created
 * only if absent, and the one that loses reads the winner's. Where it cannot
 * be kept, a new token serves this run, and `problem` says why.
 */
export async function storedHttpToken(
  env: (name: string) => string | undefined = readEnv,
): Promise<StoredToken> {
  const folder = configFolder(env);
  if (folder === undefined) {
    return { token: generateHttpToken(), problem: "no home folder in the environment" };
  }
  const path = `${folder}/http-token`;
  const read = async () => {
    try {
      const text = (await Deno.readTextFile(path)).trim();
      return parseHttpToken(text, path) === undefined ? undefined : text;
    } catch {
      return undefined;
    }
  };
  const found = await read();
  if (found !== undefined) return { token: found, path };
  const token = generateHttpToken();
  try {
    await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
    await Deno.writeTextFile(path, `${token}\n`, { createNew: true, mode: 0o600 });
    return { token, path };
  } catch (error) {
    // Another receiver made it just now: its token, once written.
    for (let i = 0; i < 10 && error instanceof Deno.errors.AlreadyExists; i++) {
      const other = await read();
      if (other !== undefined) return { token: other, path };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { token, problem: `cannot write ${path} (${reason})` };
  }
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
