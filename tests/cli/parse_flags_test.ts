import assert from "node:assert/strict";
import { UsageError } from "../../lib/cli/cli_error.ts";
import { parseFlags } from "../../lib/cli/parse_flags.ts";
import { parseSenderArgs } from "../../lib/app/sender_args.ts";
import { parseReceiverArgs } from "../../lib/app/receiver_args.ts";

const FLAGS = {
  source: { type: "string" },
  record: { type: "string" },
  "record-segment": { type: "string" },
} as const;

/** The message parseFlags gives `argv`. */
function mistake(argv: string[]): string {
  try {
    parseFlags(argv, { tool: "tool", flags: FLAGS });
  } catch (error) {
    assert.ok(error instanceof UsageError);
    return error.message;
  }
  throw new Error(`no mistake in ${argv.join(" ")}`);
}

Deno.test("a misspelled flag gets the flag it was meant to be", () => {
  assert.equal(
    mistake(["--soruce", "x"]),
    "unknown flag --soruce (did you mean --source?); see tool --help",
  );
  assert.equal(
    mistake(["--recrod", "a.mkv"]),
    "unknown flag --recrod (did you mean --record?); see tool --help",
  );
  assert.equal(
    mistake(["--record-segmnt", "9"]),
    "unknown flag --record-segmnt (did you mean --record-segment?); see tool --help",
  );
  assert.equal(
    mistake(["--helpp"]),
    "unknown flag --helpp (did you mean --help?); see tool --help",
  );
  // Nothing near: no guess.
  assert.equal(mistake(["--bogus"]), "unknown flag --bogus; see tool --help");
  assert.equal(mistake(["-x"]), "unknown flag -x; see tool --help");
});

Deno.test("the tools guess from their own flags", () => {
  assert.throws(() => parseSenderArgs(["--qualty", "50"]), /did you mean --quality\?/);
  assert.throws(() => parseReceiverArgs(["--htpp", "0.0.0.0:8081"]), /did you mean --http\?/);
});
