/**
 * Builds the `sender` and `receiver` executables for every target with
 * `deno compile`, each embedding only the permissions it needs.
 *
 *   deno task compile                  every target, into dist/
 *   deno task compile --target T ...   the named targets only
 *
 * `deno compile` downloads the runtime for each target; set DENORT_BIN to a
 * local denort binary to build offline (for that binary's own target only).
 * With neither a network nor DENORT_BIN, it fails with one line that says so.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { compileFailure } from "./compile_failure.ts";
import { TOOL_FLAGS, UNSTABLE_FLAGS } from "./permissions.ts";

/** Every target the project ships. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-pc-windows-msvc",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
] as const;

/** One of {@linkcode TARGETS}. */
export type Target = typeof TARGETS[number];

/**
 * The worker modules each tool starts: `deno compile` does not follow
 * `new Worker(...)`, so each is embedded with `--include`.
 */
export const WORKERS: Record<"sender" | "receiver", readonly string[]> = {
  sender: ["lib/capture/test_pattern_worker.ts", "lib/tutorial/jpeg_fit_worker.ts"],
  receiver: ["lib/preview/no_signal_worker.ts"],
};

/** The `deno compile` arguments for one tool and target. */
export function compileArgs(
  tool: "sender" | "receiver",
  target: Target,
  outDir = "dist",
): string[] {
  const { permissions, runtime } = TOOL_FLAGS[tool];
  const suffix = target.includes("windows") ? ".exe" : "";
  return [
    "compile",
    ...UNSTABLE_FLAGS,
    ...runtime,
    ...permissions,
    "--target",
    target,
    ...WORKERS[tool].flatMap((path) => ["--include", path]),
    "--output",
    `${outDir}/${tool}-${target}${suffix}`,
    `${tool}.ts`,
  ];
}

/** The target of the machine running this script. */
export function hostTarget(): Target {
  const { arch, os } = Deno.build;
  const found = TARGETS.find((t) => t.startsWith(arch) && t.includes(osPart[os] ?? os));
  if (found === undefined) throw new Error(`no udpcam target for ${arch} ${os}`);
  return found;
}

const osPart: Record<string, string> = { linux: "linux", windows: "windows", darwin: "apple" };

/** Chooses the targets: those named, else the host's alone with DENORT_BIN, else all. */
export function chooseTargets(named: string[], denortBin: string | undefined): Target[] {
  for (const target of named) {
    if (!(TARGETS as readonly string[]).includes(target)) {
      throw new Error(`unknown target "${target}"; choose from ${TARGETS.join(", ")}`);
    }
  }
  if (named.length > 0) return named as Target[];
  return denortBin ? [hostTarget()] : [...TARGETS];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { target: { type: "string", multiple: true } },
  });
  const targets = chooseTargets(values.target ?? [], Deno.env.get("DENORT_BIN"));
  for (const target of targets) {
    for (const tool of ["sender", "receiver"] as const) {
      const args = compileArgs(tool, target);
      console.log(`deno ${args.join(" ")}`);
      // Its standard error is held, to be read before any of it is shown.
      const output = await new Deno.Command(Deno.execPath(), { args, stderr: "piped" }).spawn()
        .output();
      const stderr = new TextDecoder().decode(output.stderr).trimEnd();
      if (output.code !== 0) {
        const denoVersion = Deno.version.deno;
        for (const line of compileFailure({ tool, target, stderr, denoVersion })) {
          console.error(line);
        }
        Deno.exit(output.code);
      }
      if (stderr !== "") console.error(stderr);
    }
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : error}`);
    Deno.exit(2);
  }
}
