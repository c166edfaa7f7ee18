import assert from "node:assert/strict";
import { freeUdpPort } from "../_tool.ts";

Deno.test("the demo runs a station of two test-pattern senders and prints the preview URL", async () => {
  const port = freeUdpPort();
  const port2 = freeUdpPort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const httpPort = listener.addr.port;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-run", "--allow-read", "--allow-env", "scripts/demo.ts"],
    cwd: new URL("../../", import.meta.url),
    env: {
      UDPCAM_DEMO_PORT: String(port),
      UDPCAM_DEMO_PORT2: String(port2),
      UDPCAM_DEMO_HTTP_PORT: String(httpPort),
      FFMPEG: "/nonexistent",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(new WritableStream());
  try {
    const { value } = await output.read();
    const url = `http://127.0.0.1:${httpPort}/`;
    assert.match(value ?? "", new RegExp(`open ${url.replaceAll(".", "\\.")} in a browser`));
    const deadline = Date.now() + 20_000;
    let states = "";
    while (states !== "lobby live, yard live" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      states = await fetch(`${url}stats`).then((r) => r.json()).then(
        (s) =>
          s.cameras.map((c: { name: string; state: string }) => `${c.name} ${c.state}`).join(", "),
        () => "",
      );
    }
    assert.equal(states, "lobby live, yard live", "the demo streams both cameras without ffmpeg");
    // The page at / is the grid of both.
    assert.match(await fetch(url).then((r) => r.text()), /grid\.mjpg/);
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await output.cancel();
    await stderr;
    assert.equal(status.code, 0);
  }
});
