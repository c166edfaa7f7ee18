import assert from "node:assert/strict";
import { TARGETS } from "../../scripts/compile.ts";

const root = new URL("../../", import.meta.url);

/** Runs `deno` with `args` in the project's root; its standard output, or throws its error. */
async function deno(args: string[]): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!success) throw new Error(`deno ${args.join(" ")} failed: ${decoder.decode(stderr)}`);
  return decoder.decode(stdout);
}

/**
 * Runs `deno task compile` with no network: in a network namespace of its own
 * (CI runs as root; elsewhere a user namespace maps this user to root),
 * without DENORT_BIN, and with a Deno cache of its own that holds the npm
 * packages (with none, `deno task` itself cannot start offline) but no
 * runtime a `deno compile` here may have downloaded before. Fails, never
 * skips, where the namespace cannot be made.
 */
async function compileOffline(): Promise<{ code: number; stdout: string; stderr: string }> {
  await deno(["install", "--quiet"]);
  const { denoDir } = JSON.parse(await deno(["info", "--json"]));
  const isolated = await Deno.makeTempDir({ prefix: "udpcam-deno-dir-" });
  try {
    await Deno.symlink(`${denoDir}/npm`, `${isolated}/npm`);
    const env: Record<string, string> = { NO_COLOR: "1", DENO_DIR: isolated };
    for (const name of ["PATH", "HOME"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
    const { code, stdout, stderr } = await new Deno.Command("unshare", {
      args: [
        ...(Deno.uid() === 0 ? [] : ["--map-root-user"]),
        "--net",
        Deno.execPath(),
        "task",
        "--quiet",
        "compile",
      ],
      cwd: root,
      clearEnv: true,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
  } finally {
    // Removes the link, not the cache it points to.
    await Deno.remove(isolated, { recursive: true });
  }
}

Deno.test("deno task compile with no network and no DENORT_BIN says so in one line", async () => {
  const { code, stdout, stderr } = await compileOffline();
  assert.deepEqual(stderr.trimEnd().split("\n"), [
    `error: cannot download denort for ${TARGETS[0]} (no network?); run with network access, ` +
    `or set DENORT_BIN to a denort binary of Deno ${Deno.version.deno}`,
  ], `stderr: ${stderr}`);
  assert.equal(code, 1);
  for (const text of [stdout, stderr]) {
    assert.doesNotMatch(text, /backtrace|panicked|^\s+\d+: |^\s+at /im);
  }
  // What it tried, and nothing more: the first tool on the first target.
  assert.deepEqual(stdout.trimEnd().split("\n").map((line) => line.split(" ").slice(0, 2)), [[
    "deno",
    "compile",
  ]]);
});
