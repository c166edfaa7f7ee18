import assert from "node:assert/strict";
import {
  buildPage,
  LABELS_PLACEHOLDER,
  PAGE_MODULE,
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
    () => buildPage({ ...files, script: files.script.replace(LABELS_PLACEHOLDER, "{}") }),
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
