import assert from "node:assert/strict";
import { openBrowser, openerCommand } from "../../lib/preview/open_browser.ts";
import { alive } from "../_proc.ts";
import { ToolProcess } from "../_tool.ts";

const URL_WITH_TOKEN = "http://127.0.0.1:8081/?token=a%2Bb&x=1";

Deno.test("openerCommand() runs each system's opener with the URL as one argument", () => {
  assert.deepEqual(openerCommand("linux", URL_WITH_TOKEN), {
    cmd: "xdg-open",
    args: [URL_WITH_TOKEN],
  });
  assert.deepEqual(openerCommand("darwin", URL_WITH_TOKEN), {
    cmd: "open",
    args: [URL_WITH_TOKEN],
  });
  // Not cmd /c start, which cuts the URL at "&".
  assert.deepEqual(openerCommand("windows", URL_WITH_TOKEN), {
    cmd: "rundll32",
    args: ["url.dll,FileProtocolHandler", URL_WITH_TOKEN],
  });
  assert.equal(openerCommand("freebsd", URL_WITH_TOKEN).cmd, "xdg-open");
});

/**
 * Runs `fn` with a folder first on the PATH that holds an `xdg-open` made of
 * `script` (a shell script body), then puts the PATH back.
 */
async function withOpener<T>(
  script: string | undefined,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-opener-" });
  const path = Deno.env.get("PATH") ?? "";
  try {
    if (script !== undefined) {
      await Deno.writeTextFile(`${dir}/xdg-open`, `#!/bin/sh\n${script}\n`);
      await Deno.chmod(`${dir}/xdg-open`, 0o755);
    }
    // Without a script, the folder alone is the PATH: no opener anywhere.
    Deno.env.set("PATH", script === undefined ? dir : `${dir}:${path}`);
    return await fn(dir);
  } finally {
    Deno.env.set("PATH", path);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openBrowser() hands the URL to the opener untouched", async () => {
  await withOpener('printf "%s\\n" "$#" "$@" > "$(dirname "$0")/opened"', async (dir) => {
    assert.equal(await openBrowser(URL_WITH_TOKEN, { os: "linux" }), undefined);
    assert.equal(await Deno.readTextFile(`${dir}/opened`), `1\n${URL_WITH_TOKEN}\n`);
  });
});

Deno.test("openBrowser() says why when the opener fails or is missing, and never throws", async () => {
  await withOpener("exit 3", async () => {
    assert.equal(await openBrowser(URL_WITH_TOKEN, { os: "linux" }), "xdg-open exited with code 3");
  });
  await withOpener(undefined, async () => {
    assert.equal(await openBrowser(URL_WITH_TOKEN, { os: "linux" }), "xdg-open not found");
  });
});

Deno.test("openBrowser() leaves an opener that keeps running, as a browser does", async () => {
  await withOpener('echo $$ > "$(dirname "$0")/pid"; exec sleep 30', async (dir) => {
    const started = performance.now();
    assert.equal(await openBrowser(URL_WITH_TOKEN, { os: "linux", waitMs: 300 }), undefined);
    const took = performance.now() - started;
    assert.ok(took >= 250 && took < 2000, `resolved after ${took.toFixed(0)} ms`);
    const pid = Number(await Deno.readTextFile(`${dir}/pid`));
    assert.ok(await alive(pid), "still running");
    Deno.kill(pid, "SIGKILL");
  });
});

Deno.test("receiver --open opens the preview URL, token and all, once listening", async () => {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-opener-" });
  await Deno.writeTextFile(`${dir}/xdg-open`, `#!/bin/sh\nprintf "%s" "$1" > "${dir}/opened"\n`);
  await Deno.chmod(`${dir}/xdg-open`, 0o755);
  const receiver = new ToolProcess(
    "receiver",
    ["127.0.0.1:9", "--http", "127.0.0.1:0", "--http-token", "s3cret&token", "--open"],
    { PATH: `${dir}:${Deno.env.get("PATH")}` },
  );
  try {
    const url = String((await receiver.waitFor("listening")).url);
    assert.match(url, /\?token=s3cret%26token$/);
    let opened: string | undefined;
    for (let i = 0; i < 50 && opened === undefined; i++) {
      opened = await Deno.readTextFile(`${dir}/opened`).catch(() => undefined);
      if (opened === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(opened, url);
    assert.equal(receiver.events.filter((e) => e.event === "warning").length, 0);
  } finally {
    await receiver.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("receiver --open without a working opener warns in one line and goes on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "udpcam-opener-" });
  await Deno.writeTextFile(`${dir}/xdg-open`, "#!/bin/sh\nexit 3\n");
  await Deno.chmod(`${dir}/xdg-open`, 0o755);
  const receiver = new ToolProcess(
    "receiver",
    ["127.0.0.1:9", "--http", "127.0.0.1:0", "--open"],
    { PATH: `${dir}:${Deno.env.get("PATH")}` },
  );
  try {
    const url = String((await receiver.waitFor("listening")).url);
    const warning = await receiver.waitFor("warning");
    assert.equal(
      warning.message,
      `cannot open a browser (xdg-open exited with code 3); open ${url} by hand`,
    );
    const stats = await fetch(`${url}stats`);
    assert.equal(stats.status, 200, "the preview goes on");
    await stats.body?.cancel();
  } finally {
    const status = await receiver.stop();
    assert.equal(status.code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});
