/**
 * Every relative link in the README and docs/ leads somewhere: a file that
 * exists and, with a `#fragment`, a heading of that file.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** A heading's anchor as GitHub makes it: lower case, punctuation gone, spaces as hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[`*_]/g, "").replace(/[^\p{L}\p{N} -]/gu, "")
    .replace(/ /g, "-");
}

async function anchors(file: URL): Promise<Set<string>> {
  const text = await Deno.readTextFile(file);
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  return found;
}

Deno.test("every relative link in README.md and docs/ resolves, anchors included", async () => {
  const pages = [new URL("README.md", ROOT)];
  for await (const entry of Deno.readDir(new URL("docs/", ROOT))) {
    if (entry.name.endsWith(".md")) pages.push(new URL(`docs/${entry.name}`, ROOT));
  }
  const broken: string[] = [];
  for (const page of pages) {
    const text = (await Deno.readTextFile(page)).replace(/```[\s\S]*?```/g, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, fragment] = target.split("#");
      const file = path === "" ? page : new URL(path, page);
      const where = `${page.pathname.slice(ROOT.pathname.length)}: ${target}`;
      try {
        await Deno.stat(file);
      } catch {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (fragment !== undefined && file.pathname.endsWith(".md")) {
        if (!(await anchors(file)).has(fragment)) broken.push(`${where} (no such heading)`);
      }
    }
  }
  assert.deepEqual(broken, []);
});
