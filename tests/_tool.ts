/**
 * Runs the sender and receiver entrypoints as subprocesses, with exactly the
 * permissions the compiled executables embed.
 *
 * @module
 */
import { runArgs } from "../scripts/permissions.ts";

const root = new URL("../", import.meta.url);
const decoder = new TextDecoder();

/** Which entrypoint. */
export type Tool = "sender" | "receiver";

/**
 * Makes the command that runs `tool` with `args`, under the tool's own
 * permissions and `denoFlags`; `env` is added to this process's environment.
 */
export type ToolCommand = (
  tool: Tool,
  args: string[],
  env?: Record<string, string>,
  denoFlags?: readonly string[],
) => Deno.Command;

/**
 * `deno run`'s arguments for `tool` with `args`: the tool's own permissions
 * and unstable flags, then `denoFlags`; any build of Deno takes them.
 */
export function toolArgs(tool: Tool, args: string[], denoFlags: readonly string[] = []): string[] {
  return [...runArgs(tool), ...denoFlags, `${tool}.ts`, ...args];
}

/** Runs a tool with this Deno. */
const command: ToolCommand = (tool, args, env, denoFlags = []) => {
  return new Deno.Command(Deno.execPath(), {
    args: toolArgs(tool, args, denoFlags),
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
};

/** Runs a tool to its end; `launch` makes the command, by default this Deno's. */
export async function runTool(
  tool: Tool,
  args: string[],
  env?: Record<string, string>,
  launch: ToolCommand = command,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await launch(tool, args, env).output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/**
 * Runs `script` (TypeScript, from the project's root) as `tool` runs: under
 * its permissions and flags. Its exit code and output.
 */
export async function runScript(
  tool: Tool,
  script: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...runArgs(tool), "-"],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** One JSON log line. */
export type LogLine = Record<string, unknown> & { event: string };

/** A running tool started with `--log json`, whose events can be awaited. */
export class ToolProcess {
  readonly child: Deno.ChildProcess;
  readonly events: LogLine[] = [];
  stderr = "";
  #waiters: Array<() => void> = [];
  #reading: Promise<void>;

  /**
   * Starts `tool` with `args` and `--log json`; `denoFlags` go to `deno run`
   * after the tool's own permissions (the bench's census uses them). `launch`
   * makes the command: by default this Deno's (tests/_wine.ts has the Windows
   * build's, under Wine).
   */
  constructor(
    tool: Tool,
    args: string[],
    env?: Record<string, string>,
    denoFlags: readonly string[] = [],
    launch: ToolCommand = command,
  ) {
    this.child = launch(tool, [...args, "--log", "json"], env, denoFlags).spawn();
    this.#reading = Promise.all([this.#readEvents(), this.#readStderr()]).then(() => {});
  }

  /** Resolves with the first event named `event` that `match` accepts, or throws after `timeoutMs`. */
  async waitFor(
    event: string,
    match: (line: LogLine) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((line) => line.event === event && match(line));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no "${event}" event within ${timeoutMs} ms; events: ${
            JSON.stringify(this.events.map((e) => e.event))
          }; stderr: ${this.stderr}`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, Math.min(left, 200));
      });
      clearTimeout(timer);
    }
  }

  /** Sends `signal` and waits for the process and its output to end. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
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
          this.events.push(JSON.parse(line));
        } catch {
          this.events.push({ event: "unparsed", line });
        }
        for (const wake of this.#waiters.splice(0)) wake();
      }
    }
  }

  async #readStderr(): Promise<void> {
    for await (const chunk of this.child.stderr.pipeThrough(new TextDecoderStream())) {
      this.stderr += chunk;
    }
  }
}

/** A free UDP port on 127.0.0.1, found by binding port 0 and closing. */
export function freeUdpPort(): number {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const { port } = socket.addr as Deno.NetAddr;
  socket.close();
  return port;
}

/** Starts a sender on a free port of 127.0.0.1, with `args`; resolves once it listens, with the port. */
export async function startSender(args: string[] = []): Promise<[ToolProcess, number]> {
  const sender = new ToolProcess("sender", ["--listen", "127.0.0.1:0", ...args]);
  const listening = await sender.waitFor("listening");
  return [sender, Number(String(listening.address).split(":").at(-1))];
}

/**
 * Starts a receiver of the sender at `senderPort` on 127.0.0.1, its preview on
 * a free port, with `args`; resolves once it listens, with the preview's URL
 * and the receiver's own UDP port.
 */
export async function startReceiver(
  senderPort: number,
  args: string[] = [],
): Promise<[ToolProcess, string, number]> {
  const receiver = new ToolProcess("receiver", [
    `127.0.0.1:${senderPort}`,
    "--http",
    "127.0.0.1:0",
    ...args,
  ]);
  const listening = await receiver.waitFor("listening");
  return [receiver, String(listening.url), Number(listening.receiver)];
}

/** The receiver's fps and frames received at `url` after `ms` more of streaming. */
export async function streamed(url: string, ms: number): Promise<{ fps: number; frames: number }> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  const stats = await (await fetch(`${url}stats`)).json();
  return { fps: Number(stats.fps), frames: Number(stats.framesReceived) };
}
