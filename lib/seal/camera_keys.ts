import { UsageError } from "../cli/cli_error.ts";

/**
 * The keys of a station's cameras where they differ (`--keys FILE`): a line
 * a camera, its name or its address (`HOST[:PORT]`, as typed), a space, and
 * its key; blank lines and lines starting with `#` are skipped.
 *
 * ```text
 * # front door and garage have keys of their own
 * front   correct horse battery staple
 * 192.168.1.21:8080  another secret
 * ```
 */
export class CameraKeys {
  #keys: Map<string, string>;

  /** The keys of a file's text; `path` names the file in errors. */
  constructor(text: string, path: string) {
    this.#keys = new Map();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) return;
      const match = /^(\S+)\s+(.+)$/.exec(line);
      if (match === null) {
        throw new UsageError(
          `${path} line ${i + 1}: give a camera's name or HOST[:PORT], a space, and its key`,
        );
      }
      const who = match[1].toLowerCase();
      if (this.#keys.has(who)) {
        throw new UsageError(`${path} line ${i + 1}: ${match[1]} has a key already`);
      }
      this.#keys.set(who, match[2]);
    });
  }

  /** Reads `--keys FILE`; a one-line error for a file that cannot be read or a line that will not do. */
  static async read(path: string): Promise<CameraKeys> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
      throw new UsageError(`cannot read --keys ${path}: ${why}`);
    }
    return new CameraKeys(text, path);
  }

  /**
   * The key of the camera known by any of `names` (its name, its address as
   * `HOST:PORT`, its host alone), the first found; undefined for none.
   */
  keyOf(names: readonly string[]): string | undefined {
    for (const name of names) {
      const key = this.#keys.get(name.toLowerCase());
      if (key !== undefined) return key;
    }
    return undefined;
  }
}
