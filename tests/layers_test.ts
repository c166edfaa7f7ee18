/**
 * The stages of `lib/` import one way: each stage's `mod.ts` says which
 * stages it may import ("May import: `a`, `b`."), and this reads every
 * import in `lib/` and holds it to that, with no cycle between stages.
 */
import assert from "node:assert/strict";

const LIB = new URL("../lib/", import.meta.url);
const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

/** Each stage's folder name, with the stages its `mod.ts` says it may import. */
async function declaredStages(): Promise<Map<string, Set<string>>> {
  const stages = new Map<string, Set<string>>();
  for await (const entry of Deno.readDir(LIB)) {
    if (!entry.isDirectory) continue;
    const mod = await Deno.readTextFile(new URL(`${entry.name}/mod.ts`, LIB));
    const line = /May import: ([^.]*)\./.exec(mod.replace(/\n \* /g, " "));
    assert.ok(line, `lib/${entry.name}/mod.ts says what it may import`);
    stages.set(entry.name, new Set([...line[1].matchAll(/`(\w+)`/g)].map((m) => m[1])));
  }
  return stages;
}

/** Every import from one file of `lib/` to another, as paths from `lib/`, leaving out documentation examples. */
async function imports(): Promise<Array<{ from: string; to: string }>> {
  const arrows: Array<{ from: string; to: string }> = [];
  for await (const stage of Deno.readDir(LIB)) {
    if (!stage.isDirectory) continue;
    for await (const file of Deno.readDir(new URL(`${stage.name}/`, LIB))) {
      const from = `${stage.name}/${file.name}`;
      const code = (await Deno.readTextFile(new URL(from, LIB))).split("\n")
        .filter((line) => !/^\s*(\*|\/\/)/.test(line)).join("\n");
      for (const [, specifier] of code.matchAll(IMPORT)) {
        const url = new URL(specifier, new URL(from, LIB));
        arrows.push({
          from,
          to: url.href.startsWith(LIB.href) ? url.href.slice(LIB.href.length) : url.href,
        });
      }
    }
  }
  return arrows;
}

Deno.test("every file of lib/ is in a stage's folder, and every stage has a mod.ts", async () => {
  for await (const entry of Deno.readDir(LIB)) {
    assert.ok(entry.isDirectory, `lib/${entry.name} is in no stage`);
    await Deno.stat(new URL(`${entry.name}/mod.ts`, LIB));
  }
});

Deno.test("each stage imports only the stages its mod.ts names, and nothing outside lib/", async () => {
  const stages = await declaredStages();
  const forbidden = (await imports()).filter(({ from, to }) => {
    const [own] = from.split("/");
    const [other] = to.split("/");
    return !stages.has(other) || (other !== own && !stages.get(own)!.has(other));
  });
  assert.deepEqual(forbidden.map(({ from, to }) => `lib/${from} -> ${to}`), []);
});

Deno.test("the stages' declared imports have no cycle", async () => {
  const stages = await declaredStages();
  const done = new Set<string>();
  const visit = (stage: string, path: string[]) => {
    assert.ok(!path.includes(stage), `a cycle: ${[...path, stage].join(" -> ")}`);
    if (done.has(stage)) return;
    for (const next of stages.get(stage) ?? []) {
      assert.ok(stages.has(next), `lib/${stage}/mod.ts names a stage that does not exist: ${next}`);
      visit(next, [...path, stage]);
    }
    done.add(stage);
  };
  for (const stage of stages.keys()) visit(stage, []);
});
