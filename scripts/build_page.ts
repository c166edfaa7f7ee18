/**
 * Builds the receiver's pages into code: for each page (the preview page of
 * one camera, and the grid page of a station's cameras) reads
 * `lib/preview/<page>.html`, its style `<page>.css` and its script
 * `<page>_script.ts` with the modules that imports (`<page>_*.ts`, and the
 * `page_*.ts` modules both pages share), bundles them with esbuild into one
 * script (see {@linkcode bundleScripts}), writes style and script inline into
 * the page, and writes the result to `lib/preview/_<page>_template.ts`, so
 * the tools (and the executables `deno compile` makes of them) serve the
 * pages with no file to read.
 *
 *   deno task build-page
 *
 * The generated modules are committed; `tests/scripts/build_page_test.ts`
 * fails while either is not what this script makes of the files.
 *
 * @module
 */
import * as esbuild from "esbuild";

/** The folder of the pages' files. */
const PREVIEW = new URL("../lib/preview/", import.meta.url);

/** One page this script builds, and where its files are. */
export interface PageSource {
  /** The stem of the page's files: `<stem>.html`, `<stem>.css`, `<stem>_script.ts`, `<stem>_*.ts`. */
  stem: string;
  /** The page's markup. */
  html: string;
  /** The page's style. */
  css: string;
  /** The page's script, the one the page loads; it imports the others. */
  script: string;
  /** The generated module, beside the page's files. */
  module: URL;
  /** The name of the template the generated module exports. */
  template: string;
}

function pageSource(stem: string, template: string): PageSource {
  return {
    stem,
    html: `${stem}.html`,
    css: `${stem}.css`,
    script: `${stem}_script.ts`,
    module: new URL(`_${stem}_template.ts`, PREVIEW),
    template,
  };
}

/** The preview page of one camera, served as `PREVIEW_PAGE` (`lib/preview/preview_page.ts`). */
export const PREVIEW_SOURCE: PageSource = pageSource("preview_page", "PREVIEW_PAGE_TEMPLATE");
/** The grid page of a station's cameras, served as `GRID_PAGE` (`lib/preview/grid_page.ts`). */
export const GRID_SOURCE: PageSource = pageSource("grid_page", "GRID_PAGE_TEMPLATE");
/** Every page this script builds. */
export const PAGES: readonly PageSource[] = [PREVIEW_SOURCE, GRID_SOURCE];

/**
 * The expression in a page's script that the receiver replaces with the link
 * states' wording as it serves the page (see `lib/preview/preview_page.ts`).
 */
export const LABELS_PLACEHOLDER = 'JSON.parse("__LINK_STATE_LABELS__")';

/** The element of a page that stands for its style. */
function styleLink(source: PageSource): string {
  return `<link rel="stylesheet" href="${source.css}">`;
}

/** The element of a page that stands for its script. */
function scriptTag(source: PageSource): string {
  return `<script src="${source.script}"></script>`;
}

/** A page's files, as {@linkcode buildPage} reads them. */
export interface PageFiles {
  /** Which page. */
  source: PageSource;
  /** The page, with its style link and script tag where its style and script go. */
  html: string;
  /** The page's style. */
  css: string;
  /**
   * The page's scripts in TypeScript, by file name: its script and the
   * modules it imports, and theirs.
   */
  scripts: Record<string, string>;
}

/** Reads a page's files from `lib/preview/` (the preview page's unless told). */
export async function readPageFiles(source: PageSource = PREVIEW_SOURCE): Promise<PageFiles> {
  const [html, css] = await Promise.all(
    [source.html, source.css].map((name) => Deno.readTextFile(new URL(name, PREVIEW))),
  );
  const scripts: Record<string, string> = {};
  const read = async (name: string): Promise<void> => {
    if (name in scripts) return;
    scripts[name] = await Deno.readTextFile(new URL(name, PREVIEW));
    for (const imported of localImports(scripts[name], source)) await read(imported);
  };
  await read(source.script);
  return { source, html, css, scripts };
}

/**
 * The page's scripts as one classic script, bundled by esbuild: each module
 * after those it imports, in the order a browser runs modules, types
 * stripped, imports and exports gone, and one `"use strict"` for all (the
 * modules were written as modules, which are strict). Their top-level names
 * become the page's globals, where the page's tests reach them. The files are
 * given, not read, so a test can bundle files of its own; a module may import
 * only the page's own `./<stem>_*.ts` files and the shared `./page_*.ts`
 * among them.
 *
 * @throws {SyntaxError} If a script does not compile, imports anything else,
 * or the entry script exports something (a classic script cannot).
 */
export async function bundleScripts(
  scripts: Record<string, string>,
  source: PageSource = PREVIEW_SOURCE,
): Promise<string> {
  const entry = source.script;
  if (scripts[entry] === undefined) {
    throw new SyntaxError(`${entry} is not among the page's scripts`);
  }
  const allowed = importPattern(source);
  const pageFiles: esbuild.Plugin = {
    name: "page-files",
    setup(build) {
      build.onResolve({ filter: /.*/ }, ({ path, importer }) => {
        const name = importer === "" ? path : allowed.exec(path)?.[1];
        if (name === undefined) {
          return {
            errors: [{
              text: `${importer} may import only ./${source.stem}_*.ts and ./page_*.ts files`,
            }],
          };
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
      entryPoints: [entry],
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
    if (/^export /m.test(js)) throw new SyntaxError(`${entry} may not export`);
    return js;
  } catch (error) {
    if (error instanceof SyntaxError) throw error;
    const first = (error as esbuild.BuildFailure).errors?.[0];
    throw new SyntaxError(first?.text ?? String(error));
  } finally {
    await esbuild.stop();
  }
}

/** A page as served, its style and script inline, the link states' wording still to fill in. */
export async function buildPage(files: PageFiles): Promise<string> {
  const { source } = files;
  const js = await bundleScripts(files.scripts, source);
  if (count(js, LABELS_PLACEHOLDER) !== 1) {
    throw new Error(`the page's scripts must hold ${LABELS_PLACEHOLDER} once`);
  }
  if (/<\/script/i.test(js)) throw new Error("the page's scripts must not hold </script");
  if (/<\/style/i.test(files.css)) throw new Error(`${source.css} must not hold </style`);
  for (const tag of [styleLink(source), scriptTag(source)]) {
    if (count(files.html, tag) !== 1) throw new Error(`${source.html} must hold ${tag} once`);
  }
  return files.html
    .replace(styleLink(source), () => `<style>\n${files.css}</style>`)
    .replace(scriptTag(source), () => `<script>\n${js}</script>`);
}

/** The generated module's text: the built page as one exported template literal. */
export function pageModule(page: string, source: PageSource = PREVIEW_SOURCE): string {
  const literal = page.replaceAll("\\", "\\\\").replaceAll("`", "\\`").replaceAll("${", "\\${");
  const what = source.stem.replace("_", " ");
  return `// Generated by scripts/build_page.ts from ${source.html}, ${source.css},
// ${source.script} and the ${source.stem}_*.ts modules it imports. Do not edit: change
// those files and run \`deno task build-page\`. It is long because it is the whole page, markup,
// style and script in one string, so the tools serve it with no file to read.

/** The ${what}, its style and script inline, with ${LABELS_PLACEHOLDER} to fill in. */
export const ${source.template} = \`${literal}\`;
`;
}

/** The module names a page's scripts may import: its own `<stem>_*.ts` and the shared `page_*.ts`. */
function importPattern(source: PageSource): RegExp {
  return new RegExp(`^\\./((?:${source.stem}|page)_[a-z_]+\\.ts)$`);
}

/** The files a page script may import (or export from) that it does, to read them too. */
function localImports(script: string, source: PageSource): string[] {
  const allowed = importPattern(source);
  return [...script.matchAll(/^(?:import|export) [^;]*? from "([^"]+)";$/gm)]
    .map((match) => allowed.exec(match[1])?.[1])
    .filter((name) => name !== undefined);
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

if (import.meta.main) {
  for (const source of PAGES) {
    await Deno.writeTextFile(
      source.module,
      pageModule(await buildPage(await readPageFiles(source)), source),
    );
    console.log(`wrote ${source.module.pathname}`);
  }
}
