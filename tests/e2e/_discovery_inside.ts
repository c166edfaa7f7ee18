// Run by discovery_e2e_test.ts inside a network namespace of its own, with a
// veth interface that carries multicast: two senders announce themselves
// (one with a key), `receiver --discover` lists them, and, with the keyed
// one stopped, `receiver` with no address finds and joins the other. Prints
// what it saw as JSON.
import { runTool, ToolProcess } from "../_tool.ts";

const dir = await Deno.makeTempDir();
const keyFile = `${dir}/key`;
await Deno.writeTextFile(keyFile, "a-key-of-twenty-chars-or-so\n");
const porch = new ToolProcess("sender", [
  "--source",
  "test",
  "--listen",
  "0.0.0.0:0",
  "--name",
  "porch",
]);
const garage = new ToolProcess("sender", [
  ...["--source", "test", "--listen", "0.0.0.0:0", "--name", "garage", "--key-file", keyFile],
]);
const out: Record<string, unknown> = {};
try {
  const ports = await Promise.all([porch, garage].map(async (sender) => {
    await sender.waitFor("announced");
    return String((await sender.waitFor("listening")).address).split(":").at(-1);
  }));
  out.ports = ports;
  let started = Date.now();
  const listed = await runTool("receiver", ["--discover"]);
  out.discoverMs = Date.now() - started;
  out.discoverCode = listed.code;
  out.listed = listed.stdout.trim().split("\n");
  await garage.stop();
  // The keyed one said goodbye: the one left is found and joined with no address.
  started = Date.now();
  const receiver = new ToolProcess("receiver", ["--http", "127.0.0.1:0"]);
  try {
    const found = await receiver.waitFor("discovered");
    out.foundMs = Date.now() - started;
    out.found = found;
    await receiver.waitFor("state", (line) => line.to === "live", 10_000);
    out.live = true;
  } finally {
    await receiver.stop();
  }
} finally {
  await porch.stop();
  await garage.stop();
  await Deno.remove(dir, { recursive: true });
}
console.log(JSON.stringify(out));
