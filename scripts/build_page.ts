/**
 * Builds the receiver's preview page into code: reads
 * `lib/preview/preview_page.html`, its style `preview_page.css` and its
 * script `preview_page_script.ts` with the modules that imports
 * (`preview_page_*.ts`), puts the modules together into one script (see
 * {@linkcode bundleScripts}) with their types stripped, writes style and
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
import ts from "typescript";

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
    for (const imported of localImports(name, scripts[name])) await read(imported);
  };
  await read(PAGE_SCRIPT);
  return { html, css, scripts };
}

/**
 * The script as JavaScript, for a classic `<script>`: its types stripped by
 * the TypeScript compiler, nothing else changed but the layout (`const`,
 * `"use strict"` and the comments stay), and its `/// <reference>` lines left
 * out.
 */
export function transpileScript(script: string, fileName = PAGE_SCRIPT): string {
  const { outputText, diagnostics } = ts.transpileModule(script, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      removeComments: false,
    },
    fileName,
    reportDiagnostics: true,
  });
  if (diagnostics !== undefined && diagnostics.length > 0) {
    const text = ts.flattenDiagnosticMessageText(diagnostics[0].messageText, "\n");
    throw new SyntaxError(`${fileName} does not transpile: ${text}`);
  }
  return outputText.replace(/^\/\/\/ <reference .*\/>\n/gm, "");
}

/**
 * The page's scripts as one classic script: each module after the modules it
 * imports, in the order a browser runs modules, its imports left out and its
 * `export` keywords dropped, its types stripped by {@linkcode transpileScript};
 * one `"use strict"` for all. Their top-level names become the page's
 * globals, so no two modules may declare the same; a module imports only
 * declarations of its own folder's `preview_page_*.ts` files, by their own
 * names (`import { a } from "./preview_page_b.ts"`).
 *
 * @throws {SyntaxError} If a module imports or exports otherwise, imports in
 * a cycle, or declares a name another one declares.
 */
export function bundleScripts(scripts: Record<string, string>): string {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (order.includes(name)) return;
    if (visiting.has(name)) throw new SyntaxError(`${name} is imported in a cycle`);
    const script = scripts[name];
    if (script === undefined) throw new SyntaxError(`${name} is not among the page's scripts`);
    visiting.add(name);
    for (const imported of localImports(name, script)) visit(imported);
    visiting.delete(name);
    order.push(name);
  };
  visit(PAGE_SCRIPT);
  const declaredIn = new Map<string, string>();
  const parts = order.map((name) => {
    const script = withoutModuleSyntax(name, scripts[name]);
    for (const declared of topLevelNames(name, script)) {
      const other = declaredIn.get(declared);
      if (other !== undefined) {
        throw new SyntaxError(`${name} and ${other} both declare ${declared}`);
      }
      declaredIn.set(declared, name);
    }
    return transpileScript(script, name).replace(/^"use strict";\n/, "");
  });
  return `"use strict";\n${parts.join("\n")}`;
}

/** The page as served, its style and script inline, the link states' wording still to fill in. */
export function buildPage(files: PageFiles): string {
  const js = bundleScripts(files.scripts);
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

/** The files a page script imports, in order; each must be a `preview_page_*.ts` beside it. */
function localImports(name: string, script: string): string[] {
  const source = ts.createSourceFile(name, script, ts.ScriptTarget.ES2022, true);
  const imported: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    const specifier = statement.moduleSpecifier;
    if (specifier === undefined) continue;
    const match = ts.isStringLiteral(specifier)
      ? /^\.\/(preview_page_[a-z_]+\.ts)$/.exec(specifier.text)
      : null;
    if (match === null) {
      throw new SyntaxError(`${name} may import only ./preview_page_*.ts files`);
    }
    imported.push(match[1]);
  }
  return imported;
}

/**
 * A page script with its imports left out and its `export` keywords dropped,
 * or a throw for module syntax that has no place in a classic script.
 */
function withoutModuleSyntax(name: string, script: string): string {
  const source = ts.createSourceFile(name, script, ts.ScriptTarget.ES2022, true);
  const cuts: Array<[number, number]> = [];
  const through = (end: number, space: RegExp) =>
    end + (space.exec(script.slice(end))?.[0].length ?? 0);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const bindings = statement.importClause?.namedBindings;
      const renamed = statement.importClause?.name !== undefined ||
        (bindings !== undefined &&
          (!ts.isNamedImports(bindings) || bindings.elements.some((e) => e.propertyName)));
      if (renamed) throw new SyntaxError(`${name} must import names as they are declared`);
      cuts.push([statement.getStart(source), through(statement.end, /^[ \t]*\n?/)]);
      continue;
    }
    if (ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)) {
      throw new SyntaxError(`${name} may export only as it declares, as in export function`);
    }
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    const exported = modifiers?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exported === undefined) continue;
    if (modifiers!.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) {
      throw new SyntaxError(`${name} may not export default`);
    }
    cuts.push([exported.getStart(source), through(exported.end, /^\s*/)]);
  }
  let text = script;
  for (const [start, end] of cuts.reverse()) text = text.slice(0, start) + text.slice(end);
  return text;
}

/** The names a script declares at its top level that stay in JavaScript. */
function topLevelNames(name: string, script: string): string[] {
  const source = ts.createSourceFile(name, script, ts.ScriptTarget.ES2022, true);
  const names: string[] = [];
  const bind = (node: ts.BindingName) => {
    if (ts.isIdentifier(node)) names.push(node.text);
    else {
      for (const element of node.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
    }
  };
  for (const statement of source.statements) {
    if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) && statement.name !== undefined
    ) {
      names.push(statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name);
    }
  }
  return names;
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

if (import.meta.main) {
  await Deno.writeTextFile(PAGE_MODULE, pageModule(buildPage(await readPageFiles())));
  console.log(`wrote ${PAGE_MODULE.pathname}`);
}
