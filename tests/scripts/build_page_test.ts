import assert from "node:assert/strict";
import {
  buildPage,
  bundleScripts,
  LABELS_PLACEHOLDER,
  PAGE_MODULE,
  PAGE_SCRIPT,
  pageModule,
  readPageFiles,
} from "../../scripts/build_page.ts";

Deno.test("lib/preview/_preview_page_template.ts is what scripts/build_page.ts makes of the page's files", async () => {
  const built = pageModule(await buildPage(await readPageFiles()));
  assert.equal(
    await Deno.readTextFile(PAGE_MODULE),
    built,
    "the generated page is stale: run `deno task build-page`",
  );
});

Deno.test("buildPage() writes the style and the script inline, as JavaScript", async () => {
  const page = await buildPage(await readPageFiles());
  assert.doesNotMatch(page, /<link rel="stylesheet"|<script src=/);
  assert.equal(page.split("<style>").length - 1, 1);
  assert.equal(page.split("<script>").length - 1, 1);
  assert.equal(page.split(LABELS_PLACEHOLDER).length - 1, 1);
  assert.doesNotMatch(page, /<reference /);
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
