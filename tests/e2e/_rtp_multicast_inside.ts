// Run by the rtp e2e tests inside a network namespace whose loopback carries
// multicast: a receiver of rtp://GROUP:PORT, and Deno.args[0] sending the clip
// Deno.args[1] to the group: "gstreamer" (which does not join the group, so
// only the receiver's join brings the stream in) or udpcam's "sender" with
// --rtp; prints the receiver's stats as JSON.
import { ToolProcess } from "../_tool.ts";
import { gstSenderArgs } from "../../scripts/bench/gstreamer.ts";

const [peer, clip, group, port] = Deno.args;
const receiver = new ToolProcess("receiver", [`rtp://${group}:${port}`, "--http", "127.0.0.1:0"]);
try {
  const { url } = await receiver.waitFor("listening");
  let sent: boolean;
  if (peer === "gstreamer") {
    const args = gstSenderArgs(clip, Number(port)).map((arg) =>
      arg === "host=127.0.0.1" ? `host=${group}` : arg
    );
    sent = (await new Deno.Command("gst-launch-1.0", {
      args: [...args, "auto-multicast=false", "ttl-mc=1", "loop=true"],
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } else {
    const sender = new ToolProcess("sender", [
      "--source",
      clip,
      "--listen",
      "127.0.0.1:0",
      "--rtp",
      `${group}:${port}`,
      "--ttl",
      "1",
    ]);
    await sender.waitFor("rtp");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    sent = (await sender.stop()).success;
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stats = await (await fetch(`${url}stats`)).json();
  console.log(JSON.stringify({ sent, stats }));
} finally {
  await receiver.stop();
}
