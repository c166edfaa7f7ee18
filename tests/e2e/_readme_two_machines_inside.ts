// Run by readme_two_machines_test.ts inside a network namespace with a veth
// interface that carries multicast (10.77.0.1): the commands of README.md's
// "Two machines" section, as they are written, the sender's camera replaced
// by the test pattern (there is no camera here) and 192.168.1.20 by this
// namespace's address. Prints what each did as JSON.
import { runTool, ToolProcess } from "../_tool.ts";

const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
const section = readme.slice(
  readme.indexOf("## Two machines"),
  readme.indexOf("\n## ", readme.indexOf("## Two machines") + 3),
);
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((match) => match[1].split("\n"))
  .map((line) => line.replace(/#.*$/, "").trim())
  .filter((line) => line !== "");
const results: Array<Record<string, unknown>> = [];
let sender: ToolProcess | undefined;
let name: string | undefined;
try {
  for (const command of commands) {
    const [program, ...args] = command.split(/\s+/);
    const tool = program === "sender.exe"
      ? "sender"
      : program === "./receiver"
      ? "receiver"
      : undefined;
    if (tool === undefined) throw new Error(`not a command of the tools: ${command}`);
    const argv = args.map((arg) => arg.replace("192.168.1.20", "10.77.0.1"));
    if (tool === "sender" && argv.includes("--list-cameras")) {
      const { code, stdout } = await runTool("sender", argv);
      results.push({ command, code, stdout: stdout.trim() });
    } else if (tool === "sender") {
      sender = new ToolProcess("sender", [...argv, "--source", "test"]);
      name = String((await sender.waitFor("announced")).name);
      results.push({ command, announced: name });
    } else if (argv.includes("--discover")) {
      const { code, stdout } = await runTool("receiver", argv);
      results.push({ command, code, listed: stdout.trim().split("\n") });
    } else {
      const receiver = new ToolProcess("receiver", argv);
      try {
        await receiver.waitFor("state", (line) => line.to === "live", 15_000);
        results.push({ command, live: true });
      } finally {
        await receiver.stop();
      }
    }
  }
} finally {
  await sender?.stop();
}
console.log(JSON.stringify({ name, results }));
