import assert from "node:assert/strict";
import { chooseTargets, compileArgs, hostTarget, TARGETS } from "../scripts/compile.ts";
import {
  RECEIVER_PERMISSIONS,
  SENDER_PERMISSIONS,
  UNSTABLE_FLAGS,
} from "../scripts/permissions.ts";

Deno.test("compileArgs() embeds only each tool's own permissions", () => {
  assert.deepEqual(compileArgs("receiver", "x86_64-unknown-linux-gnu"), [
    "compile",
    "--unstable-net",
    "--allow-net",
    "--allow-run",
    "--allow-env=FFMPEG,UDPCAM_KEY,IMAGESCRIPT_WASM_SIMD,CODECS_FORCE_WASM",
    "--allow-read",
    "--allow-write",
    "--allow-ffi",
    "--target",
    "x86_64-unknown-linux-gnu",
    "--output",
    "dist/receiver-x86_64-unknown-linux-gnu",
    "receiver.ts",
  ]);
  const sender = compileArgs("sender", "x86_64-pc-windows-msvc");
  assert.deepEqual(sender.slice(1, 2 + SENDER_PERMISSIONS.length), [
    ...UNSTABLE_FLAGS,
    ...SENDER_PERMISSIONS,
  ]);
  assert.ok(!sender.includes("--allow-all") && !sender.includes("-A"));
  assert.equal(sender.at(-2), "dist/sender-x86_64-pc-windows-msvc.exe");
});

Deno.test("chooseTargets() builds every target, or the host's alone with DENORT_BIN", () => {
  assert.deepEqual(chooseTargets([], undefined), [...TARGETS]);
  assert.deepEqual(chooseTargets([], "/opt/denort"), [hostTarget()]);
  assert.deepEqual(chooseTargets(["aarch64-apple-darwin"], "/opt/denort"), [
    "aarch64-apple-darwin",
  ]);
  assert.throws(() => chooseTargets(["riscv64-linux"], undefined), /unknown target/);
});

Deno.test("the deno.json tasks run the tools with the permissions they are compiled with", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(config.tasks.sender, `deno run ${SENDER_PERMISSIONS.join(" ")} sender.ts`);
  assert.equal(config.tasks.receiver, `deno run ${RECEIVER_PERMISSIONS.join(" ")} receiver.ts`);
  assert.deepEqual(config.unstable, ["net"]);
});
