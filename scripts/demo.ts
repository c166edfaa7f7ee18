/**
 * The demo: a sender on the built-in test pattern and a receiver, both on this
 * machine, with the preview's address printed. Needs no ffmpeg and no camera.
 * Ctrl+C stops both.
 *
 * @module
 */
import { runArgs } from "./permissions.ts";

const root = new URL("../", import.meta.url);
const port = Deno.env.get("UDPCAM_DEMO_PORT") ?? "8080";
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

const sender = start("sender", [
  "--source",
  "test",
  "--listen",
  `127.0.0.1:${port}`,
]);
const receiver = start("receiver", [
  `127.0.0.1:${port}`,
  "--http",
  `127.0.0.1:${httpPort}`,
]);
console.log(`udpcam demo: open http://127.0.0.1:${httpPort}/ in a browser (Ctrl+C to stop)`);

const stop = () => {
  for (const child of [receiver, sender]) {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already gone.
    }
  }
};
Deno.addSignalListener("SIGINT", stop);
if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
// When either stops (say, a port is busy), stop the other too.
const first = await Promise.race([sender.status, receiver.status]);
stop();
const [a, b] = await Promise.all([sender.status, receiver.status]);
Deno.exit(first.code || a.code || b.code);
