import assert from "node:assert/strict";
import { chooseTargets, compileArgs, hostTarget, TARGETS, WORKERS } from "../../scripts/compile.ts";
import {
  RECEIVER_PERMISSIONS,
  RUNTIME_FLAGS,
  SENDER_PERMISSIONS,
  SENDER_RUNTIME_FLAGS,
  UNSTABLE_FLAGS,
} from "../../scripts/permissions.ts";

Deno.test("compileArgs() embeds only each tool's own permissions", () => {
  assert.deepEqual(compileArgs("receiver", "x86_64-unknown-linux-gnu"), [
    "compile",
    "--unstable-net",
    "--no-code-cache",
    "--allow-net",
    "--allow-run",
    "--allow-env=FFMPEG,UDPCAM_KEY,IMAGESCRIPT_WASM_SIMD,CODECS_FORCE_WASM,HOME,XDG_CONFIG_HOME,APPDATA",
    "--allow-sys=networkInterfaces",
    "--allow-read",
    "--allow-write",
    "--allow-ffi",
    "--target",
    "x86_64-unknown-linux-gnu",
    "--include",
    "lib/preview/no_signal_worker.ts",
    "--output",
    "dist/receiver-x86_64-unknown-linux-gnu",
    "receiver.ts",
  ]);
  const sender = compileArgs("sender", "x86_64-pc-windows-msvc");
  assert.deepEqual(
    sender.slice(
      1,
      1 + UNSTABLE_FLAGS.length + SENDER_RUNTIME_FLAGS.length + SENDER_PERMISSIONS.length,
    ),
    [
      ...UNSTABLE_FLAGS,
      ...SENDER_RUNTIME_FLAGS,
      ...SENDER_PERMISSIONS,
    ],
  );
  assert.ok(!sender.includes("--allow-all") && !sender.includes("-A"));
  assert.equal(sender.at(-2), "dist/sender-x86_64-pc-windows-msvc.exe");
});

Deno.test("compileArgs() embeds every worker module a tool starts", async () => {
  const root = new URL("../../", import.meta.url);
  // Each `new Worker(new URL("./x_worker.ts", import.meta.url))` in lib/, by file.
  const started = new Map<string, string>();
  for (const file of await libFiles(new URL("lib/", root))) {
    const code = (await Deno.readTextFile(new URL(file, root))).split("\n")
      .filter((line) => !/^\s*(\*|\/\/)/.test(line)); // not the documentation's examples
    const text = code.join("\n");
    for (const [, name] of text.matchAll(/new Worker\(\s*new URL\("\.\/([\w.]+)"/g)) {
      started.set(file.replace(/[^/]+$/, name), file);
    }
  }
  assert.deepEqual(
    [...started.keys()].sort(),
    [...WORKERS.sender, ...WORKERS.receiver].sort(),
    "every worker started in lib/ is in WORKERS, and only those",
  );
  for (const tool of ["sender", "receiver"] as const) {
    const args = compileArgs(tool, "x86_64-unknown-linux-gnu");
    for (const path of WORKERS[tool]) {
      assert.equal(args[args.indexOf(path) - 1], "--include", `${tool} embeds ${path}`);
      await Deno.stat(new URL(path, root));
    }
  }
  assert.deepEqual(WORKERS.sender, [
    "lib/capture/test_pattern_worker.ts",
    "lib/tutorial/jpeg_fit_worker.ts",
  ]);
  assert.deepEqual(WORKERS.receiver, ["lib/preview/no_signal_worker.ts"]);
});

Deno.test("chooseTargets() builds every target, or the host's alone with DENORT_BIN", () => {
  assert.deepEqual(chooseTargets([], undefined), [...TARGETS]);
  assert.deepEqual(chooseTargets([], "/opt/denort"), [hostTarget()]);
  assert.deepEqual(chooseTargets(["aarch64-apple-darwin"], "/opt/denort"), [
    "aarch64-apple-darwin",
  ]);
  assert.throws(() => chooseTargets(["riscv64-linux"], undefined), /unknown target/);
});

Deno.test("the deno.json tasks run the tools with the permissions and flags they are compiled with", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(
    config.tasks.sender,
    `deno run ${SENDER_RUNTIME_FLAGS.join(" ")} ${SENDER_PERMISSIONS.join(" ")} sender.ts`,
  );
  assert.equal(
    config.tasks.receiver,
    `deno run ${RUNTIME_FLAGS.join(" ")} ${RECEIVER_PERMISSIONS.join(" ")} receiver.ts`,
  );
  assert.deepEqual(config.unstable, ["net"]);
});

/** The TypeScript files under `dir`, in its folders too, as paths from the project's root. */
async function libFiles(dir: URL, prefix = "lib/"): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      files.push(...await libFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    } else if (entry.name.endsWith(".ts")) {
      files.push(`${prefix}${entry.name}`);
    }
  }
  return files;
}
