import assert from "node:assert/strict";
import { ActionlintMissingError, loadActionlint } from "../../scripts/lint_workflows.ts";

const root = new URL("../../", import.meta.url);

/**
 * Runs `scripts/lint_workflows.ts` on `paths` (every workflow when none) with
 * the task's permission. Throws its one line when actionlint is not
 * installed, so that a test fails, never skips, without it.
 */
async function lintWorkflows(
  ...paths: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-read", "scripts/lint_workflows.ts", ...paths],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const stderr = decoder.decode(output.stderr);
  if (output.code === 3) throw new Error(stderr.trim().replace(/^error: /, ""));
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr };
}

/** Writes `workflows` (name to YAML) into a new folder, and lints them; removes the folder. */
async function lintNew(
  workflows: Record<string, string>,
): Promise<{ code: number; stdout: string; paths: string[] }> {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-workflows-" });
  try {
    const paths = [];
    for (const [name, yaml] of Object.entries(workflows)) {
      await Deno.writeTextFile(`${dir}/${name}`, yaml);
      paths.push(`${dir}/${name}`);
    }
    const { code, stdout } = await lintWorkflows(...paths);
    return { code, stdout, paths };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("every workflow in .github/workflows passes actionlint", async () => {
  const { code, stdout, stderr } = await lintWorkflows();
  assert.equal(code, 0, stdout + stderr);
  assert.match(stdout, /^\.github\/workflows\/release\.yml: ok$/m);
});

Deno.test("lint_workflows.ts fails a broken workflow, naming each mistake", async () => {
  const { code, stdout, paths: [broken, unparsable] } = await lintNew({
    "broken.yml": [
      "on:", //                                         1
      "  push:", //                                     2
      '    tags: ["v*"]', //                            3
      "jobs:", //                                       4
      "  build:", //                                    5
      "    runs-on: ubuntu-lates", //                   6  no such runner
      "    steps:", //                                  7
      "      - uses: actions/checkout@v4", //           8
      "        with:", //                               9
      "          fetch-dept: 1", //                     10 no such input
      '      - run: echo "${{ matrix.target }}"', //    11 no matrix here
      "  release:", //                                  12
      "    needs: buld", //                             13 no such job
      "    runs-on: ubuntu-24.04", //                   14
      "    steps:", //                                  15
      "      - run: echo done", //                      16
      "",
    ].join("\n"),
    "unparsable.yml": "on: push\njobs:\n  build:\n    runs-on: [ubuntu-24.04\n",
  });
  assert.equal(code, 1, stdout);
  const found = stdout.trim().split("\n").map((line) => {
    const [, path, at, kind] = /^(.+?):(\d+:\d+): .* \[([\w-]+)\]$/.exec(line) ?? [];
    return `${
      path === broken ? "broken" : path === unparsable ? "unparsable" : path
    } ${at} ${kind}`;
  });
  assert.deepEqual(found, [
    "broken 6:14 runner-label",
    "broken 10:11 action",
    "broken 11:24 expression",
    "broken 12:3 job-needs",
    "unparsable 3:0 syntax-check",
  ]);
});

Deno.test("lint_workflows.ts lets macos-15-intel through, and still knows the other labels", async () => {
  const runsOn = (label: string) =>
    `on: push\njobs:\n  smoke:\n    runs-on: ${label}\n    steps:\n      - run: echo ok\n`;
  const { code, stdout, paths: [intel, typo] } = await lintNew({
    "intel.yml": runsOn("macos-15-intel"),
    "typo.yml": runsOn("macos-15-intl"),
  });
  assert.equal(code, 1, stdout);
  const [first, second, ...more] = stdout.trim().split("\n");
  assert.equal(first, `${intel}: ok`);
  assert.ok(second.startsWith(`${typo}:4:14: label "macos-15-intl" is unknown.`), second);
  assert.deepEqual(more, []);
});

Deno.test("loadActionlint() says in one line how to install actionlint when it is missing", async () => {
  const nowhere = new URL("./no_such_folder/", import.meta.url);
  const error = await loadActionlint(nowhere).then(() => undefined, (error) => error);
  assert.ok(error instanceof ActionlintMissingError);
  assert.equal(
    error.message,
    "actionlint is not installed in .tools/actionlint: run `source scripts/setup.sh all`",
  );
});
