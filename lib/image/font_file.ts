// Puts the font package into the module graph, so that Deno installs it and
// `deno compile` embeds it; the font file itself is read at run time.
import "dejavu-fonts-ttf/package.json" with { type: "json" };
import { createRequire } from "node:module";

const FONT_FILE = "dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf";

/**
 * The path of the DejaVu Sans Mono file; inside a compiled executable, a path
 * in its embedded files, which only this process can read.
 */
export function fontFilePath(): string {
  return createRequire(import.meta.url).resolve(FONT_FILE);
}
