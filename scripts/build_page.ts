/**
 * Builds the receiver's preview page into code: reads
 * `lib/preview/preview_page.html`, its style `preview_page.css` and its
 * script `preview_page_script.ts` with the modules that imports
 * (`preview_page_*.ts`), bundles them with esbuild into one script (see
 * {@linkcode bundleScripts}), writes style and
 * script inline into the page, and writes the result to
 * `lib/preview/_preview_page_template.ts`, so the tools (and the executables
 * `deno compile` makes of them) serve the page with no file to read.
 *
 *   deno task build-page
 *
 * The generated module is committed; `tests/scripts/build_page_test.ts` fails
 * while it is not what this script makes of the files.
 *
 * @module
 */
import * as esbuild from "esbuild";

/** The folder of the page's files. */
const PREVIEW = new URL("../lib/preview/", import.meta.url);

/** The generated module, beside the page's files. */
export const PAGE_MODULE: URL = new URL("_preview_page_template.ts", PREVIEW);

/**
 * The expression in the page's script that the receiver replaces with the link
 * states' wording as it serves the page (see `lib/preview/preview_page.ts`).
 */
export const LABELS_PLACEHOLDER = 'JSON.parse("__LINK_STATE_LABELS__")';

/** The page's script, the one the page loads; it imports the others. */
export const PAGE_SCRIPT = "preview_page_script.ts";

/** The element of the page that stands for its style, and the one that stands for its script. */
const STYLE_LINK = '<link rel="stylesheet" href="preview_page.css">';
const SCRIPT_TAG = '<script src="preview_page_script.ts"></script>';

/** The page's files, as {@linkcode buildPage} reads them. */
export interface PageFiles {
  /** The page, with {@linkcode STYLE_LINK} and {@linkcode SCRIPT_TAG} where its style and script go. */
  html: string;
  /** The page's style. */
  css: string;
  /**
   * The page's scripts in TypeScript, by file name: {@linkcode PAGE_SCRIPT}
   * and the modules it imports, and theirs.
   */
  scripts: Record<string, string>;
}

/** Reads the page's files from `lib/preview/`. */
export async function readPageFiles(): Promise<PageFiles> {
  const [html, css] = await Promise.all(
    ["preview_page.html", "preview_page.css"]
      .map((name) => Deno.readTextFile(new URL(name, PREVIEW))),
  );
  const scripts: Record<string, string> = {};
  const read = async (name: string): Promise<void> => {
    if (name in scripts) return;
    scripts[name] = await Deno.readTextFile(new URL(name, PREVIEW));
    for (const imported of localImports(scripts[name])) await read(imported);
  };
  await read(PAGE_SCRIPT);
  return { html, css, scripts };
}

/**
 * The page's scripts as one classic script, bundled by esbuild: each module
 * after those it imports, in the order a browser runs modules, types
 * stripped, imports and exports gone, and one `"use strict"` for all (the
 * modules were written as modules, which are strict). Their top-level names
 * become the page's globals, where the page's tests reach them. The files are
 * given, not read, so a test can bundle files of its own; a module may import
 * only `./preview_page_*.ts` files among them.
 *
 * @throws {SyntaxError} If a script does not compile, imports anything else,
 * or the entry script exports something (a classic script cannot).
 */
export async function bundleScripts(scripts: Record<string, string>): Promise<string> {
  if (scripts[PAGE_SCRIPT] === undefined) {
    throw new SyntaxError(`${PAGE_SCRIPT} is not among the page's scripts`);
  }
  const pageFiles: esbuild.Plugin = {
    name: "page-files",
    setup(build) {
      build.onResolve({ filter: /.*/ }, ({ path, importer }) => {
        const name = importer === "" ? path : /^\.\/(preview_page_[a-z_]+\.ts)$/.exec(path)?.[1];
        if (name === undefined) {
          return { errors: [{ text: `${importer} may import only ./preview_page_*.ts files` }] };
        }
        if (scripts[name] === undefined) {
          return { errors: [{ text: `${name} is not among the page's scripts` }] };
        }
        return { path: name, namespace: "page" };
      });
      build.onLoad({ filter: /.*/, namespace: "page" }, ({ path }) => ({
        contents: scripts[path],
        loader: "ts",
      }));
    },
  };
  try {
    const result = await esbuild.build({
      entryPoints: [PAGE_SCRIPT],
      bundle: true,
      write: false,
      format: "esm",
      target: "es2022",
      charset: "utf8",
      legalComments: "none",
      logLevel: "silent",
      banner: { js: '"use strict";' },
      plugins: [pageFiles],
    });
    const js = result.outputFiles[0].text;
    if (/^export /m.test(js)) throw new SyntaxError(`${PAGE_SCRIPT} may not export`);
    return js;
  } catch (error) {
    if (error instanceof SyntaxError) throw error;
    const first = (error as esbuild.BuildFailure).errors?.[0];
    throw new SyntaxError(first?.text ?? String(error));
  } finally {
    await esbuild.stop();
  }
}

/** The page as served, its style and script inline, the link states' wording still to fill in. */
export async function buildPage(files: PageFiles): Promise<string> {
  const js = await bundleScripts(files.scripts);
  if (count(js, LABELS_PLACEHOLDER) !== 1) {
    throw new Error(`the page's scripts must hold ${LABELS_PLACEHOLDER} once`);
  }
  if (/<\/script/i.test(js)) throw new Error("the page's scripts must not hold </script");
  if (/<\/style/i.test(files.css)) throw new Error("preview_page.css must not hold </style");
  for (const tag of [STYLE_LINK, SCRIPT_TAG]) {
    if (count(files.html, tag) !== 1) throw new Error(`preview_page.html must hold ${tag} once`);
  }
  return files.html
    .replace(STYLE_LINK, () => `<style>\n${files.css}</style>`)
    .replace(SCRIPT_TAG, () => `<script>\n${js}</script>`);
}

/** The generated module's text: the built page as one exported template literal. */
export function pageModule(page: string): string {
  const literal = page.replaceAll("\\", "\\\\").replaceAll("`", "\\`").replaceAll("${", "\\${");
  return `// Generated by scripts/build_page.ts from preview_page.html, preview_page.css,
// preview_page_script.ts and the preview_page_*.ts modules it imports. Do not edit: change
// those files and run \`deno task build-page\`. It is long because it is the whole page, markup,
// style and script in one string, so the tools serve it with no file to read.

/** The preview page, its style and script inline, with ${LABELS_PLACEHOLDER} to fill in. */
export const PREVIEW_PAGE_TEMPLATE = \`${literal}\`;
`;
}

/** The `./preview_page_*.ts` files a page script imports, to read them too. */
function localImports(script: string): string[] {
  return [...script.matchAll(/^import [^;]*? from "\.\/(preview_page_[a-z_]+\.ts)";$/gm)]
    .map((match) => match[1]);
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

if (import.meta.main) {
  await Deno.writeTextFile(PAGE_MODULE, pageModule(await buildPage(await readPageFiles())));
  console.log(`wrote ${PAGE_MODULE.pathname}`);
}
