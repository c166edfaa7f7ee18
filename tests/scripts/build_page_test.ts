import assert from "node:assert/strict";
import {
  buildPage,
  bundleScripts,
  GRID_SOURCE,
  LABELS_PLACEHOLDER,
  pageModule,
  PAGES,
  PREVIEW_SOURCE,
  readPageFiles,
} from "../../scripts/build_page.ts";

const PAGE_SCRIPT = PREVIEW_SOURCE.script;

for (const source of PAGES) {
  const module = source.module.pathname.split("/").at(-1);
  Deno.test(`lib/preview/${module} is what scripts/build_page.ts makes of the page's files`, async () => {
    const built = pageModule(await buildPage(await readPageFiles(source)), source);
    assert.equal(
      await Deno.readTextFile(source.module),
      built,
      "the generated page is stale: run `deno task build-page`",
    );
  });
}

Deno.test("scripts/build_page.ts builds the preview page and the grid page, each into its module", () => {
  assert.deepEqual(
    PAGES.map((
      source,
    ) => [source.script, source.module.pathname.split("/").at(-1), source.template]),
    [
      ["preview_page_script.ts", "_preview_page_template.ts", "PREVIEW_PAGE_TEMPLATE"],
      ["grid_page_script.ts", "_grid_page_template.ts", "GRID_PAGE_TEMPLATE"],
    ],
  );
});

Deno.test("buildPage() writes the style and the script inline, as JavaScript", async () => {
  for (const source of PAGES) {
    const page = await buildPage(await readPageFiles(source));
    assert.doesNotMatch(page, /<link rel="stylesheet"|<script src=/);
    assert.equal(page.split("<style>").length - 1, 1);
    assert.equal(page.split("<script>").length - 1, 1);
    assert.equal(page.split(LABELS_PLACEHOLDER).length - 1, 1);
    assert.doesNotMatch(page, /<reference /);
  }
});

Deno.test("buildPage() refuses files it cannot put together", async () => {
  const files = await readPageFiles();
  await assert.rejects(
    () =>
      buildPage({
        ...files,
        scripts: {
          ...files.scripts,
          [PAGE_SCRIPT]: files.scripts[PAGE_SCRIPT].replace(LABELS_PLACEHOLDER, "{}"),
        },
      }),
    /must hold JSON\.parse/,
  );
  await assert.rejects(
    () => buildPage({ ...files, html: files.html.replace("<script src=", "<script data-src=") }),
    /preview_page\.html must hold <script/,
  );
  await assert.rejects(
    () => buildPage({ ...files, css: files.css + "/* </style> */\n" }),
    /must not hold <\/style/,
  );
  const grid = await readPageFiles(GRID_SOURCE);
  await assert.rejects(
    () => buildPage({ ...grid, html: grid.html.replace("grid_page.css", "preview_page.css") }),
    /grid_page\.html must hold <link rel="stylesheet" href="grid_page\.css">/,
  );
});

Deno.test("bundleScripts() puts each module after those it imports, as one strict classic script", async () => {
  const js = await bundleScripts({
    [PAGE_SCRIPT]:
      'import { b } from "./preview_page_b.ts";\nimport { type A, a } from "./preview_page_a.ts";\nconst c: A = a + b;\n(globalThis as Record<string, unknown>).bundled = [a, b, c];\n',
    "preview_page_b.ts":
      'import { a } from "./preview_page_a.ts";\n/** b. */\nexport const b: number = a * 2;\n',
    "preview_page_a.ts":
      "export type A = number;\nexport function f(): number {\n  return 1;\n}\nexport const a = f();\n",
  });
  assert.match(js, /^"use strict";\n/);
  assert.doesNotMatch(js, /^\s*(import|export)\b/m);
  assert.doesNotMatch(js, /: number|type A/);
  assert.ok(js.indexOf("function f()") < js.indexOf("a * 2"), "a's module before b's");
  assert.ok(js.indexOf("a * 2") < js.indexOf("a + b"), "b's module before the page's");
  new Function(js)();
  assert.deepEqual((globalThis as Record<string, unknown>).bundled, [1, 2, 3]);
});

Deno.test("bundleScripts() refuses what the page cannot hold", async () => {
  const refused: Array<[Record<string, string>, RegExp]> = [
    [{ "preview_page_a.ts": "export const x = 1;\n" }, /preview_page_script\.ts is not among/],
    [
      { [PAGE_SCRIPT]: 'import { x } from "./grid_page_a.ts";\nconsole.log(x);\n' },
      /may import only/,
    ],
    [{ [PAGE_SCRIPT]: 'import { x } from "./other.ts";\nconsole.log(x);\n' }, /may import only/],
    [
      { [PAGE_SCRIPT]: 'import { x } from "./preview_page_a.ts";\nconsole.log(x);\n' },
      /preview_page_a\.ts is not among/,
    ],
    [{ [PAGE_SCRIPT]: "const = 1;\n" }, /Expected identifier/],
    [{ [PAGE_SCRIPT]: "export const x = 1;\n" }, /may not export/],
  ];
  for (const [scripts, message] of refused) {
    await assert.rejects(() => bundleScripts(scripts), { name: "SyntaxError", message });
  }
});

Deno.test("bundleScripts() lets the grid page import its own modules and the shared page_*.ts, and no other page's", async () => {
  const entry = GRID_SOURCE.script;
  const js = await bundleScripts({
    [entry]:
      'import { a } from "./grid_page_a.ts";\nimport { b } from "./page_b.ts";\n(globalThis as Record<string, unknown>).gridBundled = a + b;\n',
    "grid_page_a.ts": "export const a = 1;\n",
    "page_b.ts": "export const b = 2;\n",
  }, GRID_SOURCE);
  new Function(js)();
  assert.equal((globalThis as Record<string, unknown>).gridBundled, 3);
  await assert.rejects(
    () =>
      bundleScripts({
        [entry]: 'import { x } from "./preview_page_dom.ts";\nconsole.log(x);\n',
        "preview_page_dom.ts": "export const x = 1;\n",
      }, GRID_SOURCE),
    { name: "SyntaxError", message: /may import only \.\/grid_page_\*\.ts and \.\/page_\*\.ts/ },
  );
});
