import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);

Deno.test("deno task smoke streams the test pattern from sender to receiver and stops both", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "smoke"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout);
  const stderr = decoder.decode(output.stderr);
  assert.equal(output.code, 0, stdout + stderr);
  const { version } = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const lines = stdout.trim().split("\n");
  assert.equal(lines.length, 7, stdout);
  assert.equal(lines[0], `smoke: udpcam sender ${version}`);
  assert.equal(lines[1], `smoke: udpcam receiver ${version}`);
  assert.match(lines[2], /^smoke: sender on the test pattern, listening on 127\.0\.0\.1:\d+$/);
  assert.match(lines[3], /^smoke: receiver's preview at http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(lines[4], /^smoke: \/stats: \d+ frames received$/);
  assert.match(lines[5], /^smoke: \/snapshot\.jpg: [1-9]\d*x[1-9]\d* JPEG, \d+ bytes$/);
  assert.equal(lines[6], "smoke: receiver and sender stopped (exit codes 0, 0)");
});

Deno.test("the smoke script fails in one line when an executable is missing", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "smoke", "--sender", "dist/no-such-sender", "--receiver", "dist/no"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 1);
  assert.match(stderr, /^error: .*no-such-sender.*\n$/);
});
