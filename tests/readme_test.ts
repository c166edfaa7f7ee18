/**
 * The README is a contract with its readers and with the tools that run it:
 * its two commands are the ones CI runs, its flag blocks are the tools'
 * `--help` word for word, and the layout it links to (in docs/DESIGN.md) names
 * every stage of `lib/`.
 */
import assert from "node:assert/strict";
import { RECEIVER_HELP } from "../lib/app/receiver_help.ts";
import { SENDER_HELP } from "../lib/app/sender_help.ts";

const ROOT = new URL("../", import.meta.url);
const README = await Deno.readTextFile(new URL("README.md", ROOT));

/** The body of every fenced block of `page` (`README.md` unless told) in `language`. */
function fencedBlocks(language: string, page: string = README): string[] {
  const fence = new RegExp("^```" + language + "\\n([\\s\\S]*?)^```$", "gm");
  return [...page.matchAll(fence)].map((match) => match[1]);
}

/** The help from its `Usage:` line up to the section named `end`, as the README shows it. */
function usageAndOptions(help: string, end: string): string {
  return help.slice(help.indexOf("Usage:"), help.indexOf(`\n${end}:\n`)).trimEnd() + "\n";
}

Deno.test("README.md shows the demo and the gate as the two commands, as CI and the scripts run them", async () => {
  assert.ok(
    fencedBlocks("sh").includes(
      "bash scripts/demo.sh    # the demo: a station of two test-pattern senders; prints the preview URL\n" +
        "bash scripts/test.sh    # the whole gate: format, lint, type check and every test\n",
    ),
  );
  const ci = await Deno.readTextFile(new URL(".ci/run", ROOT));
  assert.match(ci, /^exec bash scripts\/test\.sh$/m);
  assert.match(await Deno.readTextFile(new URL("scripts/test.sh", ROOT)), /^deno task test$/m);
  assert.match(await Deno.readTextFile(new URL("scripts/demo.sh", ROOT)), /^exec deno task demo$/m);
});

Deno.test("README.md's flag blocks are sender --help and receiver --help word for word", () => {
  const blocks = fencedBlocks("text");
  assert.equal(
    blocks.find((block) => block.startsWith("Usage: sender")),
    usageAndOptions(SENDER_HELP, "Examples"),
  );
  assert.equal(
    blocks.find((block) => block.startsWith("Usage: receiver")),
    usageAndOptions(RECEIVER_HELP, "Preview"),
  );
});

Deno.test("the layout README.md links to names every stage of lib/", async () => {
  assert.match(README, /\]\(docs\/DESIGN\.md#layout\)/);
  const design = await Deno.readTextFile(new URL("docs/DESIGN.md", ROOT));
  const layout = fencedBlocks("text", design).find((block) =>
    block.startsWith("sender.ts, receiver.ts")
  );
  assert.ok(layout, "docs/DESIGN.md has a layout block");
  for await (const entry of Deno.readDir(new URL("lib/", ROOT))) {
    if (entry.isDirectory) assert.match(layout, new RegExp(`^  ${entry.name}/ `, "m"));
  }
});
