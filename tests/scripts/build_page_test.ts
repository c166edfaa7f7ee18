import assert from "node:assert/strict";
import {
  buildPage,
  bundleScripts,
  LABELS_PLACEHOLDER,
  PAGE_MODULE,
  PAGE_SCRIPT,
  pageModule,
  readPageFiles,
  transpileScript,
} from "../../scripts/build_page.ts";

Deno.test("lib/preview/_preview_page_template.ts is what scripts/build_page.ts makes of the page's files", async () => {
  const built = pageModule(buildPage(await readPageFiles()));
  assert.equal(
    await Deno.readTextFile(PAGE_MODULE),
    built,
    "the generated page is stale: run `deno task build-page`",
  );
});

Deno.test("buildPage() writes the style and the script inline, as JavaScript", async () => {
  const page = buildPage(await readPageFiles());
  assert.doesNotMatch(page, /<link rel="stylesheet"|<script src=/);
  assert.equal(page.split("<style>").length - 1, 1);
  assert.equal(page.split("<script>").length - 1, 1);
  assert.equal(page.split(LABELS_PLACEHOLDER).length - 1, 1);
  assert.doesNotMatch(page, /<reference /);
});

Deno.test("transpileScript() strips types and keeps const, the strict directive and the comments", () => {
  const js = transpileScript(
    '/// <reference lib="dom" />\n"use strict";\n// why\nconst n: number = 1;\nfunction f(x: string): string {\n  return x;\n}\n',
  );
  assert.equal(js, '"use strict";\n// why\nconst n = 1;\nfunction f(x) {\n    return x;\n}\n');
});

Deno.test("transpileScript() refuses a script that is not valid TypeScript", () => {
  assert.throws(() => transpileScript("const = 1;"), SyntaxError);
});

Deno.test("buildPage() refuses files it cannot put together", async () => {
  const files = await readPageFiles();
  assert.throws(
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
  assert.throws(
    () => buildPage({ ...files, html: files.html.replace("<script src=", "<script data-src=") }),
    /preview_page\.html must hold <script/,
  );
  assert.throws(
    () => buildPage({ ...files, css: files.css + "/* </style> */\n" }),
    /must not hold <\/style/,
  );
});

Deno.test("bundleScripts() puts each module after those it imports, without imports or export keywords", () => {
  const js = bundleScripts({
    [PAGE_SCRIPT]:
      'import { b } from "./preview_page_b.ts";\nimport { type A, a } from "./preview_page_a.ts";\nconst c: A = a + b;\n',
    "preview_page_b.ts":
      'import { a } from "./preview_page_a.ts";\n/** b. */\nexport const b: number = a * 2;\n',
    "preview_page_a.ts":
      "export type A = number;\nexport function f(): number {\n  return 1;\n}\nexport const a = f();\n",
  });
  assert.equal(
    js,
    '"use strict";\nfunction f() {\n    return 1;\n}\nconst a = f();\n\n/** b. */\nconst b = a * 2;\n\nconst c = a + b;\n',
  );
});

Deno.test("bundleScripts() refuses what a classic script cannot hold as the modules meant it", () => {
  const refused: Array<[Record<string, string>, RegExp]> = [
    [{ "preview_page_a.ts": "export const x = 1;\n" }, /preview_page_script\.ts is not among/],
    [{ [PAGE_SCRIPT]: 'import { x } from "./other.ts";\n' }, /may import only/],
    [
      { [PAGE_SCRIPT]: 'import { x } from "./preview_page_a.ts";\n' },
      /preview_page_a\.ts is not among/,
    ],
    [
      {
        [PAGE_SCRIPT]: 'import { x as y } from "./preview_page_a.ts";\n',
        "preview_page_a.ts": "export const x = 1;\n",
      },
      /must import names as they are declared/,
    ],
    [
      {
        [PAGE_SCRIPT]: 'import { x } from "./preview_page_a.ts";\nconst x = 2;\n',
        "preview_page_a.ts": "export const x = 1;\n",
      },
      /both declare x/,
    ],
    [
      {
        [PAGE_SCRIPT]: 'import { x } from "./preview_page_a.ts";\n',
        "preview_page_a.ts": 'import "./preview_page_script.ts";\nexport const x = 1;\n',
      },
      /in a cycle/,
    ],
    [{ [PAGE_SCRIPT]: "const x = 1;\nexport { x };\n" }, /export only as it declares/],
    [{ [PAGE_SCRIPT]: "export default function f() {}\n" }, /may not export default/],
  ];
  for (const [scripts, message] of refused) {
    assert.throws(() => bundleScripts(scripts), { name: "SyntaxError", message });
  }
});
