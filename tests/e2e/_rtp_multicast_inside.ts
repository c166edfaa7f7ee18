// Run by rtp_input_e2e_test.ts inside a network namespace whose loopback carries
// multicast: a receiver of rtp://GROUP:PORT and GStreamer sending the clip
// Deno.args[0] to the group; prints the receiver's stats as JSON.
import { ToolProcess } from "../_tool.ts";
import { gstSenderArgs } from "../../scripts/bench/gstreamer.ts";

const [clip, group, port] = Deno.args;
const receiver = new ToolProcess("receiver", [`rtp://${group}:${port}`, "--http", "127.0.0.1:0"]);
try {
  const { url } = await receiver.waitFor("listening");
  const args = gstSenderArgs(clip, Number(port)).map((arg) =>
    arg === "host=127.0.0.1" ? `host=${group}` : arg
  );
  const sent = await new Deno.Command("gst-launch-1.0", {
    // It does not join the group itself (auto-multicast=false): only the receiver does.
    args: [...args, "auto-multicast=false", "ttl-mc=1", "loop=true"],
    stdout: "null",
    stderr: "null",
  }).output();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stats = await (await fetch(`${url}stats`)).json();
  console.log(JSON.stringify({ sent: sent.success, stats }));
} finally {
  await receiver.stop();
}
