/**
 * The demo: a station of two cameras on this machine, two senders on the
 * built-in test pattern (`lobby` and `yard`) and a receiver showing both on
 * one page, with the preview's address printed. Needs no ffmpeg and no
 * camera. Ctrl+C stops all three.
 *
 * @module
 */
import { runArgs } from "./permissions.ts";

const root = new URL("../", import.meta.url);
const port = Number(Deno.env.get("UDPCAM_DEMO_PORT") ?? "8080");
/** The second camera's UDP port: 8082 by default, past the preview's 8081. */
const secondPort = Number(Deno.env.get("UDPCAM_DEMO_PORT2") ?? port + 2);
const httpPort = Deno.env.get("UDPCAM_DEMO_HTTP_PORT") ?? "8081";

/**
 * Starts a tool with its output prefixed by its name. Its standard error is a
 * pipe, not the terminal, so the two tools' live status lines do not fight
 * over one line; their events still show.
 */
function start(tool: "sender" | "receiver", args: string[]): Deno.ChildProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...runArgs(tool), `${tool}.ts`, ...args],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const label = tool.padEnd(8);
  for (const stream of [child.stdout, child.stderr]) {
    stream.pipeThrough(new TextDecoderStream()).pipeThrough(lines()).pipeTo(
      new WritableStream({ write: (line) => console.log(`${label} ${line}`) }),
    ).catch(() => {});
  }
  return child;
}

/** Splits text into lines. */
function lines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) controller.enqueue(line);
    },
    flush(controller) {
      if (rest !== "") controller.enqueue(rest);
    },
  });
}

const senders = [["lobby", port], ["yard", secondPort]].map(([name, udp]) =>
  start("sender", ["--source", "test", "--name", `${name}`, "--listen", `127.0.0.1:${udp}`])
);
const receiver = start("receiver", [
  `lobby=127.0.0.1:${port}`,
  `yard=127.0.0.1:${secondPort}`,
  "--http",
  `127.0.0.1:${httpPort}`,
]);
console.log(`udpcam demo: open http://127.0.0.1:${httpPort}/ in a browser (Ctrl+C to stop)`);

const stop = () => {
  for (const child of [receiver, ...senders]) {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
  }
};
Deno.addSignalListener("SIGINT", stop);
if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
// When any stops (say, a port is busy), stop the others too.
const children = [...senders, receiver];
const first = await Promise.race(children.map((child) => child.status));
stop();
const codes = (await Promise.all(children.map((child) => child.status))).map((s) => s.code);
Deno.exit(first.code || codes.find((code) => code !== 0) || 0);
