import assert from "node:assert/strict";
import { UsageError } from "../lib/cli_error.ts";
import { parseReceiverArgs } from "../lib/receiver_args.ts";
import { parseSenderArgs } from "../lib/sender_args.ts";
import { parseSwitchFlag } from "../lib/switch_flag.ts";
import { SENDER_DEFAULTS } from "../lib/udp_sender.ts";

const SPREAD = SENDER_DEFAULTS.spreadMs;

/** Matches a {@linkcode UsageError} whose message names `flag`. */
function usageError(flag: string) {
  return (error: unknown) => error instanceof UsageError && error.message.includes(flag);
}

Deno.test("parseSenderArgs() reads --fec, --adapt and --spread", () => {
  const cases: Array<[string[], { fec: number; adapt: boolean; spreadMs: number }]> = [
    [[], { fec: 0, adapt: true, spreadMs: SPREAD }],
    [["--fec", "10"], { fec: 10, adapt: true, spreadMs: SPREAD }],
    [["--fec", "2"], { fec: 2, adapt: true, spreadMs: SPREAD }],
    [["--fec", "64"], { fec: 64, adapt: true, spreadMs: SPREAD }],
    [["--fec", "off"], { fec: 0, adapt: true, spreadMs: SPREAD }],
    [["--fec", "0"], { fec: 0, adapt: true, spreadMs: SPREAD }],
    [["--adapt", "off"], { fec: 0, adapt: false, spreadMs: SPREAD }],
    [["--adapt", "on"], { fec: 0, adapt: true, spreadMs: SPREAD }],
    [["--spread", "0"], { fec: 0, adapt: true, spreadMs: 0 }],
    [["--fec", "8", "--adapt=off", "--spread", "12"], { fec: 8, adapt: false, spreadMs: 12 }],
  ];
  for (const [argv, expected] of cases) {
    const { fec, adapt, spreadMs } = parseSenderArgs(argv);
    assert.deepEqual({ fec, adapt, spreadMs }, expected, argv.join(" ") || "no flags");
  }
});

Deno.test("parseSenderArgs() rejects a bad --fec, --adapt or --spread, naming the flag", () => {
  const cases: Array<[string[], string]> = [
    [["--fec", "1"], "--fec"],
    [["--fec", "65"], "--fec"],
    [["--fec", "on"], "--fec"],
    [["--fec", "-3"], "--fec"],
    [["--fec"], "--fec"],
    [["--adapt", "maybe"], "--adapt"],
    [["--adapt", "OFF"], "--adapt"],
    [["--adapt"], "--adapt"],
    [["--spread", "-1"], "--spread"],
    [["--spread", "1001"], "--spread"],
  ];
  for (const [argv, flag] of cases) {
    assert.throws(() => parseSenderArgs(argv), usageError(flag), argv.join(" "));
  }
});

Deno.test("parseReceiverArgs() reads --latency and --nack", () => {
  const cases: Array<[string[], { latencyMs: number | undefined; nack: boolean }]> = [
    [[], { latencyMs: undefined, nack: true }],
    [["--latency", "80"], { latencyMs: 80, nack: true }],
    [["--latency", "auto"], { latencyMs: undefined, nack: true }],
    [["--latency", "1"], { latencyMs: 1, nack: true }],
    [["--nack", "off"], { latencyMs: undefined, nack: false }],
    [["--nack", "on"], { latencyMs: undefined, nack: true }],
    [["--latency", "200", "--nack", "off"], { latencyMs: 200, nack: false }],
  ];
  for (const [argv, expected] of cases) {
    const { latencyMs, nack } = parseReceiverArgs(argv);
    assert.deepEqual({ latencyMs, nack }, expected, argv.join(" ") || "no flags");
  }
});

Deno.test("parseReceiverArgs() rejects a bad --latency or --nack, naming the flag", () => {
  const cases: Array<[string[], string]> = [
    [["--latency", "0"], "--latency"],
    [["--latency", "10001"], "--latency"],
    [["--latency", "80ms"], "--latency"],
    [["--latency"], "--latency"],
    [["--nack", "no"], "--nack"],
    [["--nack"], "--nack"],
  ];
  for (const [argv, flag] of cases) {
    assert.throws(() => parseReceiverArgs(argv), usageError(flag), argv.join(" "));
  }
});

Deno.test("parseSwitchFlag() reads on and off, and falls back when the flag is absent", () => {
  assert.equal(parseSwitchFlag("on", "--x", false), true);
  assert.equal(parseSwitchFlag("off", "--x", true), false);
  assert.equal(parseSwitchFlag(undefined, "--x", true), true);
  assert.equal(parseSwitchFlag(undefined, "--x", false), false);
  assert.throws(
    () => parseSwitchFlag("yes", "--x", true),
    { name: "UsageError", message: '--x needs on or off, got "yes"' },
  );
});

Deno.test("parseReceiverArgs() reads --http-token, and leaves it unset by default", () => {
  assert.equal(parseReceiverArgs([]).httpToken, undefined);
  const cases = ["s3cret-token", "12345678", 'a+b/c=d;e,f"g%h&i#j', "x".repeat(256)];
  for (const token of cases) {
    assert.equal(parseReceiverArgs(["--http-token", token]).httpToken, token);
    assert.equal(parseReceiverArgs([`--http-token=${token}`]).httpToken, token);
  }
});

Deno.test("parseReceiverArgs() rejects a bad --http-token without repeating it", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--http-token"], /--http-token needs a value/],
    [["--http-token", ""], /--http-token needs 8 to 256 characters, got 0/],
    [["--http-token", "short12"], /--http-token needs 8 to 256 characters, got 7/],
    [["--http-token", "x".repeat(257)], /--http-token needs 8 to 256 characters, got 257/],
    [["--http-token", "has a space"], /--http-token takes printable ASCII only/],
    [["--http-token", "tab\tinside"], /--http-token takes printable ASCII only/],
    [["--http-token", "newline\n12"], /--http-token takes printable ASCII only/],
    [["--http-token", "non-ascii-é"], /--http-token takes printable ASCII only/],
    [["--http-token", "control\x7f12"], /--http-token takes printable ASCII only/],
  ];
  for (const [argv, pattern] of cases) {
    const token = argv[1];
    assert.throws(
      () => parseReceiverArgs(argv),
      (error: unknown) =>
        error instanceof UsageError && pattern.test(error.message) &&
        !(token && error.message.includes(token)),
      JSON.stringify(argv),
    );
  }
});
