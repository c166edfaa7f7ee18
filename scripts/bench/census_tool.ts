import { withTimeout } from "../../lib/with_timeout.ts";
import type { LogLine, Tool } from "../../tests/_tool.ts";
import { RECEIVER_PERMISSIONS, SENDER_PERMISSIONS, UNSTABLE_FLAGS } from "../permissions.ts";
import { abortable } from "./abortable.ts";
import { CENSUS_ENV } from "./census_line.ts";
import { ToolStartError } from "./wait_listening.ts";

const ROOT = new URL("../../", import.meta.url);
const CENSUS = new URL("./census.ts", import.meta.url);

/** How long a tool gets to say it is listening. */
const START_TIMEOUT_MS = 20_000;
/** How long a tool gets to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/**
 * A tool run as the tests run it (`--log json`, the permissions it ships
 * with), with the census preloaded: the one extra permission is to write its
 * census file and read the variable naming it.
 */
export class CensusTool {
  /** The running `deno run`. */
  readonly child: Deno.ChildProcess;
  /** The file the census appends to. */
  readonly censusPath: string;
  #tool: Tool;
  #stderr = "";
  #listening = Promise.withResolvers<LogLine>();
  #reading: Promise<void>;

  /** Starts `tool` with `args`; its census goes to `censusPath`. */
  constructor(tool: Tool, args: string[], censusPath: string) {
    this.#tool = tool;
    this.censusPath = censusPath;
    const permissions = tool === "sender" ? SENDER_PERMISSIONS : RECEIVER_PERMISSIONS;
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        ...UNSTABLE_FLAGS,
        ...permissions,
        `--allow-write=${censusPath}`,
        `--allow-env=${CENSUS_ENV}`,
        `--preload=${CENSUS.pathname}`,
        `${tool}.ts`,
        ...args,
        "--log",
        "json",
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1", [CENSUS_ENV]: censusPath },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#reading = Promise.all([this.#readEvents(), this.#readStderr()]).then(() => {});
  }

  /**
   * Resolves with the tool's `listening` event. Throws a {@linkcode ToolStartError}
   * with its last line of standard error if it exits first or stays silent.
   */
  async listening(signal: AbortSignal): Promise<LogLine> {
    const listening = withTimeout(this.#listening.promise, START_TIMEOUT_MS)
      .then((line) => ({ line }));
    const exited = this.child.status.then((status) => ({ status }));
    const outcome = await abortable(Promise.race([listening, exited]), signal);
    if ("line" in outcome && outcome.line !== undefined) return outcome.line;
    let how = `was silent for ${START_TIMEOUT_MS / 1000} s`;
    if ("status" in outcome) {
      how = `exited with code ${outcome.status.code}`;
      await this.#reading;
    }
    const said = this.#stderr.trim().split("\n").at(-1)?.trim().replace(/^error:\s*/, "");
    throw new ToolStartError(`the ${this.#tool} ${how} before listening${said ? `: ${said}` : ""}`);
  }

  /**
   * Stops the tool with SIGTERM, or SIGKILL if it is still there after 5 s,
   * and waits for it and its output to end. Resolves with its exit status.
   */
  async stop(): Promise<Deno.CommandStatus> {
    return await withTimeout(this.#stop("SIGTERM"), STOP_GRACE_MS) ?? await this.#stop("SIGKILL");
  }

  async #stop(signal: Deno.Signal): Promise<Deno.CommandStatus> {
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
    const status = await this.child.status;
    await this.#reading;
    return status;
  }

  async #readEvents(): Promise<void> {
    let buffered = "";
    for await (const chunk of this.child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const event: LogLine = JSON.parse(line);
          if (event.event === "listening") this.#listening.resolve(event);
        } catch {
          // Not a log line.
        }
      }
    }
  }

  async #readStderr(): Promise<void> {
    for await (const chunk of this.child.stderr.pipeThrough(new TextDecoderStream())) {
      this.#stderr += chunk;
    }
  }
}
