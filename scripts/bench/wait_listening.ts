import type { LogLine, Tool, ToolProcess } from "../../tests/_tool.ts";
import { abortable } from "./abortable.ts";

/** A tool that exited, or said nothing, before it was listening. */
export class ToolStartError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ToolStartError";
  }
}

/** How long a tool gets to say it is listening. */
const START_TIMEOUT_MS = 20_000;

/** Options for {@linkcode waitListening}. */
export interface WaitListeningOptions {
  /** Which tool it is, for the error message. */
  tool: Tool;
  /** Stops the wait; the tool is left running for its owner to stop. */
  signal: AbortSignal;
}

/**
 * Resolves with the running tool's `listening` event. Throws a {@linkcode ToolStartError}
 * with the tool's last line of standard error if it exits first or stays silent.
 */
export async function waitListening(
  running: ToolProcess,
  options: WaitListeningOptions,
): Promise<LogLine> {
  const { tool, signal } = options;
  const listening = running.waitFor("listening", undefined, START_TIMEOUT_MS)
    .then((line) => ({ line }), () => ({ silent: true }));
  const exited = running.child.status.then((status) => ({ status }));
  const outcome = await abortable(Promise.race([listening, exited]), signal);
  if ("line" in outcome) return outcome.line;
  await running.stop();
  const how = "status" in outcome
    ? `exited with code ${outcome.status.code}`
    : `was silent for ${START_TIMEOUT_MS / 1000} s`;
  const said = lastLine(running.stderr).replace(/^error:\s*/, "");
  throw new ToolStartError(`the ${tool} ${how} before listening${said ? `: ${said}` : ""}`);
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)?.trim() ?? "";
}
