import { type LoopLag, readLoopLag } from "./loop_lag.ts";

/**
 * An idle Deno process measuring its own event-loop lag from 100 ms after it
 * starts ({@linkcode IdleLagProbe.stop} reads it): the lag the machine
 * causes by itself (other processes, a shared host), to set beside the
 * tools' own. An idle process is woken sooner than a busy one, so it shows
 * less of the machine than the tools see, never more.
 */
export class IdleLagProbe {
  #child: Deno.ChildProcess;

  /** Starts the process. */
  constructor() {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", new URL("./idle_lag_child.ts", import.meta.url).pathname],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
  }

  #stopped: Promise<LoopLag | undefined> | undefined;

  /**
   * Stops the process and resolves with the lag it measured; undefined if it
   * said nothing. Calling it again resolves with the same.
   */
  stop(): Promise<LoopLag | undefined> {
    return this.#stopped ??= this.#stop();
  }

  async #stop(): Promise<LoopLag | undefined> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // It ended already.
    }
    const { stdout } = await this.#child.output();
    const last = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "";
    try {
      return readLoopLag(JSON.parse(last));
    } catch {
      return undefined;
    }
  }
}
