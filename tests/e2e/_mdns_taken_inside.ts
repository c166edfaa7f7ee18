// Run by discovery_e2e_test.ts in a network namespace of its own: port 5353
// taken by a socket that shares it with no one, a sender on every interface
// (which announces itself) and a receiver with no address (which listens for
// senders) must both go on. Prints what they did as JSON.
import { runTool, ToolProcess } from "../_tool.ts";

const taken = Deno.listenDatagram({ transport: "udp", hostname: "0.0.0.0", port: 5353 });
const sender = new ToolProcess("sender", ["--source", "test", "--listen", "0.0.0.0:0"]);
const out: Record<string, unknown> = {};
try {
  await sender.waitFor("listening");
  const warned = await sender.waitFor(
    "warning",
    (line) => /cannot announce/.test(String(line.message)),
  );
  out.warning = warned.message;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  out.senderAlive =
    (await Promise.race([sender.child.status, Promise.resolve("running")])) === "running";
  const listed = await runTool("receiver", ["--discover"]);
  out.discover = { code: listed.code, stdout: listed.stdout.trim() };
} finally {
  out.senderExit = (await sender.stop()).code;
  taken.close();
}
console.log(JSON.stringify(out));
