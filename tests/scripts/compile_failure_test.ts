import assert from "node:assert/strict";
import { compileFailure } from "../../scripts/compile_failure.ts";

const ESC = "\x1b";

/** What Deno 2.9.6 wrote with no network (DNS failing), colours and backtrace included. */
const OFFLINE = [
  `${ESC}[0m${ESC}[32mCheck${ESC}[0m sender.ts`,
  `${ESC}[0m${ESC}[32mCompile${ESC}[0m sender.ts to dist/sender-x86_64-unknown-linux-gnu`,
  `${ESC}[0m${ESC}[32mDownload${ESC}[0m https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip`,
  `${ESC}[0m${ESC}[1m${ESC}[31merror${ESC}[0m: Writing deno compile executable to temporary file ` +
  `'dist/sender-x86_64-unknown-linux-gnu.tmp-e72c5ea01f72bd8a'`,
  "",
  "Caused by:",
  "    0: Setting up base binary.",
  "    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): " +
  "client error (Connect): dns error: failed to lookup address information: " +
  "Temporary failure in name resolution",
  "    2: client error (Connect)",
  "    3: dns error",
  "    4: failed to lookup address information: Temporary failure in name resolution",
  "",
  "Stack backtrace:",
  "   0: <unknown>",
  "",
].join("\n");

/** A type error in the tool: Deno's report is what the user needs. */
const TYPE_ERROR = [
  "Check sender.ts",
  "TS2304 [ERROR]: Cannot find name 'AddressInUseError'.",
  "    at file:///work/main/lib/app/run_cli.ts:44:24",
  "",
  "error: Type checking failed.",
  "",
].join("\n");

Deno.test("compileFailure() turns a failed denort download into one line", () => {
  assert.deepEqual(
    compileFailure({
      tool: "sender",
      target: "x86_64-unknown-linux-gnu",
      stderr: OFFLINE,
      denoVersion: "2.9.6",
    }),
    [
      "error: cannot download denort for x86_64-unknown-linux-gnu (no network?); run with network " +
      "access, or set DENORT_BIN to a denort binary of Deno 2.9.6",
    ],
  );
});

Deno.test("compileFailure() turns any other failed download into one line", () => {
  // Another system's target needs that system's builds of npm packages.
  const stderr = [
    "Download https://registry.npmjs.org/@esbuild/darwin-arm64/-/darwin-arm64-0.28.2.tgz",
    "error: Failed caching npm package '@esbuild/darwin-arm64@0.28.2'",
    "    0: error sending request for url " +
    "(https://registry.npmjs.org/@esbuild/darwin-arm64/-/darwin-arm64-0.28.2.tgz): " +
    "client error (Connect): dns error: failed to lookup address information: " +
    "Temporary failure in name resolution",
    "    1: client error (Connect)",
  ].join("\n");
  assert.deepEqual(
    compileFailure({
      tool: "sender",
      target: "aarch64-apple-darwin",
      stderr,
      denoVersion: "2.9.6",
    }),
    [
      "error: cannot download " +
      "https://registry.npmjs.org/@esbuild/darwin-arm64/-/darwin-arm64-0.28.2.tgz " +
      "for aarch64-apple-darwin (no network?); run with network access",
    ],
  );
});

Deno.test("compileFailure() keeps Deno's own report of any other failure, and names the build", () => {
  assert.deepEqual(
    compileFailure({
      tool: "receiver",
      target: "aarch64-apple-darwin",
      stderr: TYPE_ERROR,
      denoVersion: "2.9.6",
    }),
    [
      "Check sender.ts",
      "TS2304 [ERROR]: Cannot find name 'AddressInUseError'.",
      "    at file:///work/main/lib/app/run_cli.ts:44:24",
      "",
      "error: Type checking failed.",
      "error: deno compile failed for receiver on aarch64-apple-darwin",
    ],
  );
});

Deno.test("compileFailure() leaves out the Rust backtrace of any other failure", () => {
  const stderr = [
    "error: Writing deno compile executable to temporary file 'dist/x.tmp'",
    "",
    "Caused by:",
    "    Permission denied (os error 13)",
    "",
    "Stack backtrace:",
    "   0: <unknown>",
    "   1: std::rt::lang_start_internal",
  ].join("\n");
  assert.deepEqual(
    compileFailure({
      tool: "sender",
      target: "x86_64-pc-windows-msvc",
      stderr,
      denoVersion: "2.9.6",
    }),
    [
      "error: Writing deno compile executable to temporary file 'dist/x.tmp'",
      "",
      "Caused by:",
      "    Permission denied (os error 13)",
      "error: deno compile failed for sender on x86_64-pc-windows-msvc",
    ],
  );
});

Deno.test("compileFailure() says only its own line when Deno said nothing", () => {
  assert.deepEqual(
    compileFailure({
      tool: "sender",
      target: "x86_64-apple-darwin",
      stderr: "",
      denoVersion: "2.9.6",
    }),
    ["error: deno compile failed for sender on x86_64-apple-darwin"],
  );
});
