import { runArgs } from "../../scripts/permissions.ts";
import assert from "node:assert/strict";
import { runTool, ToolProcess } from "../_tool.ts";
import { makeMp4 } from "../_media.ts";

function assertOneLineError(stderr: string, pattern: RegExp) {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /\bat .*\.ts:\d+/, "no stack trace");
}

Deno.test("sender --help prints usage and examples and exits 0", async () => {
  const { code, stdout } = await runTool("sender", ["--help"]);
  assert.equal(code, 0);
  assert.match(stdout, /Usage: sender \[options\]/);
  assert.match(stdout, /--source SPEC/);
  assert.match(stdout, /Examples:/);
});

Deno.test("receiver --help prints usage and exits 0", async () => {
  const { code, stdout } = await runTool("receiver", ["--help"]);
  assert.equal(code, 0);
  assert.match(stdout, /Usage: receiver \[HOST\[:PORT\]\]/);
  assert.match(stdout, /\/stream\.mjpg/);
  assert.match(stdout, /--http-token TOKEN/);
});

Deno.test("sender and receiver --version print the version", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  for (const tool of ["sender", "receiver"] as const) {
    const { code, stdout } = await runTool(tool, ["--version"]);
    assert.equal(code, 0);
    assert.equal(stdout.trim(), `udpcam ${tool} ${config.version}`);
  }
});

Deno.test("a bad flag gets one error line and exit code 2", async () => {
  const cases: Array<["sender" | "receiver", string[], RegExp]> = [
    ["sender", ["--bogus"], /unknown flag --bogus; see sender --help/],
    ["sender", ["--quality", "101"], /--quality needs a whole number from 1 to 100, got "101"/],
    ["sender", ["--width", "wide"], /--width needs a whole number/],
    ["sender", ["--listen", "127.0.0.1:99999"], /--listen needs HOST:PORT/],
    ["sender", ["--log", "xml"], /--log needs text or json/],
    ["sender", ["--copy", "--width", "640"], /--copy sends frames as they are/],
    ["sender", ["--source"], /--source needs a value/],
    ["sender", ["--source", "camera:"], /--source: .*camera/i],
    ["sender", ["--loop"], /--loop repeats a file or URL source/],
    ["sender", ["extra"], /unexpected argument "extra"/],
    ["receiver", ["--nope"], /unknown flag --nope; see receiver --help/],
    ["receiver", ["rtp://0.0.0.0:5004", "b"], /unexpected argument "b"/],
    ["receiver", ["1.2.3.4", "--connect", "1.2.3.4:1"], /give the sender's address once/],
    ["receiver", ["--http", "localhost:x"], /--http needs HOST:PORT/],
    ["receiver", ["--http-token", "short"], /--http-token needs 8 to 256 characters, got 5/],
  ];
  for (const [tool, args, pattern] of cases) {
    const { code, stderr } = await runTool(tool, args);
    assert.equal(code, 2, `${tool} ${args.join(" ")}: ${stderr}`);
    assertOneLineError(stderr, pattern);
  }
});

Deno.test("sender without ffmpeg says how to install it and exits 3", async () => {
  const { code, stderr } = await runTool("sender", [
    "--source",
    "camera",
    "--listen",
    "127.0.0.1:0",
    "--ffmpeg",
    "/nonexistent/ffmpeg",
  ]);
  assert.equal(code, 3, stderr);
  assertOneLineError(stderr, /ffmpeg not found.*(apt|brew|winget)/);
});

Deno.test("sender with FFMPEG pointing nowhere exits 3 too", async () => {
  const { code, stderr } = await runTool(
    "sender",
    ["--source", "clip.mp4", "--listen", "127.0.0.1:0"],
    { FFMPEG: "/nonexistent/ffmpeg" },
  );
  assert.equal(code, 3, stderr);
  assertOneLineError(stderr, /ffmpeg not found/);
});

Deno.test("sender on a file that does not exist says so and exits 1", async () => {
  const { code, stderr } = await runTool("sender", [
    "--source",
    "/nonexistent/clip.mp4",
    "--listen",
    "127.0.0.1:0",
  ]);
  assert.equal(code, 1, stderr);
  assertOneLineError(stderr, /No such file or directory/);
});

Deno.test("sender on a busy UDP port says so and exits 4", async () => {
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const { port } = socket.addr as Deno.NetAddr;
  const { code, stderr } = await runTool("sender", [
    "--source",
    "test",
    "--listen",
    `127.0.0.1:${port}`,
  ]).finally(() => socket.close());
  assert.equal(code, 4, stderr);
  assertOneLineError(
    stderr,
    new RegExp(`UDP 127\\.0\\.0\\.1:${port} is already in use: .* another port with --listen`),
  );
});

Deno.test("receiver on a busy HTTP port says so and exits 4", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  const { code, stderr } = await runTool("receiver", [
    "127.0.0.1:9",
    "--http",
    `127.0.0.1:${port}`,
  ]);
  assert.equal(code, 4, stderr);
  assertOneLineError(
    stderr,
    new RegExp(`HTTP 127\\.0\\.0\\.1:${port} is already in use: .* another port with --http`),
  );
});

Deno.test("receiver given something that is not an address says so and exits 2", async () => {
  for (const address of ["8080", "999.1.1.1", "1.2.3"]) {
    const { code, stderr } = await runTool("receiver", [address, "--http", "127.0.0.1:0"]);
    assert.equal(code, 2, `${address}: ${stderr}`);
    assertOneLineError(stderr, /is not an IPv4 address/);
  }
});

Deno.test("a log reader that goes away does not crash the receiver", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...runArgs("receiver"),
      "receiver.ts",
      "--http",
      "127.0.0.1:0",
      "--log",
      "json",
    ],
    cwd: new URL("../../", import.meta.url),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read();
  await reader.cancel(); // like `| head -1`
  await new Promise((resolve) => setTimeout(resolve, 1500));
  child.kill("SIGTERM");
  const { code, stderr } = await child.output().catch(async () => ({
    code: (await child.status).code,
    stderr: new Uint8Array(),
  }));
  assert.equal(code, 0);
  assert.doesNotMatch(new TextDecoder().decode(stderr), /Uncaught|BrokenPipe/);
});

Deno.test("sender without a camera says so, with what to try, and exits 1", async () => {
  const { code, stderr } = await runTool("sender", [
    "--source",
    "camera:/dev/nonexistent-video",
    "--listen",
    "127.0.0.1:0",
  ]);
  assert.equal(code, 1, stderr);
  assertOneLineError(stderr, /nonexistent-video.*--list-cameras.*--source test/);
});

Deno.test("sender --list-cameras works with the permissions it ships with", async () => {
  // The test runs with -A, so it may look in /dev itself; the sender may not.
  const cameras = [...Deno.readDirSync("/dev")].filter((entry) => /^video\d+$/.test(entry.name));
  const { code, stdout, stderr } = await runTool("sender", ["--list-cameras"]);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /error:/);
  if (cameras.length === 0) {
    assert.equal(stdout, "No camera found.\n");
  } else {
    for (const line of stdout.trimEnd().split("\n")) assert.match(line, /^camera:\d+\t.+$/);
  }
});

Deno.test("sender --list-cameras prints the cameras ffmpeg lists, for --source camera:ID", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A stand-in for ffmpeg 5.1 on a laptop with a USB camera plugged in: readdir order, a
    // metadata node, a radio tuner.
    const ffmpeg = `${dir}/ffmpeg`;
    await Deno.writeTextFile(
      ffmpeg,
      [
        "#!/bin/sh",
        'echo "Auto-detected sources for video4linux2,v4l2:"',
        'echo "  /dev/video2 [Cam Link 4K: Cam Link 4K] (none)"',
        'echo "  /dev/radio0 [BCM2048 FM Radio] (none)"',
        'echo "  /dev/video0 [Integrated Camera: Integrated C] (none)"',
        'echo "  /dev/video1 [Integrated Camera: Integrated C] (none)"',
        "",
      ].join("\n"),
    );
    await Deno.chmod(ffmpeg, 0o755);
    const { code, stdout, stderr } = await runTool("sender", [
      "--list-cameras",
      "--ffmpeg",
      ffmpeg,
    ]);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, "");
    assert.equal(
      stdout,
      "camera:0\tIntegrated Camera: Integrated C\n" +
        "camera:1\tIntegrated Camera: Integrated C\n" +
        "camera:2\tCam Link 4K: Cam Link 4K\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sender --list-cameras without ffmpeg says how to install it and exits 3", async () => {
  const { code, stdout, stderr } = await runTool("sender", [
    "--list-cameras",
    "--ffmpeg",
    "/nonexistent/ffmpeg",
  ]);
  assert.equal(code, 3, stderr);
  assert.equal(stdout, "");
  // The path was given: the fix is that path, not "--ffmpeg PATH" back.
  assertOneLineError(stderr, /ffmpeg not found at "\/nonexistent\/ffmpeg": correct that path/);
  assert.doesNotMatch(stderr, /pass --ffmpeg PATH/);
});

Deno.test("receiver on 0.0.0.0 logs a preview URL with its token, and asks for it", async () => {
  // Each with a config folder of its own, so each has a token of its own.
  const homes = await Promise.all([0, 1].map(() => Deno.makeTempDir()));
  const receivers = homes.map((home) =>
    new ToolProcess("receiver", ["--http", "0.0.0.0:0"], { XDG_CONFIG_HOME: home })
  );
  try {
    const urls = await Promise.all(
      receivers.map(async (r) => new URL(String((await r.waitFor("listening")).url))),
    );
    const tokens = urls.map((url) => url.searchParams.get("token") ?? "");
    assert.match(tokens[0], /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(tokens[0], tokens[1], "a token of its own");
    const [url] = urls;
    assert.equal(url.hostname, "127.0.0.1");
    const stats = new URL("stats", url);

    const without = await fetch(stats);
    assert.equal(without.status, 401);
    assert.equal(without.headers.get("www-authenticate"), 'Bearer realm="udpcam"');
    assert.match(await without.text(), /\?token=/);
    const wrong = await fetch(stats, { headers: { authorization: `Bearer ${tokens[1]}` } });
    assert.equal(wrong.status, 403);
    await wrong.body?.cancel();

    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<img id="video"/);
    assert.equal(page.headers.get("x-frame-options"), "DENY");
    assert.equal(page.headers.get("access-control-allow-origin"), null);
    assert.equal(page.headers.get("set-cookie"), null, "no cookie, which every port would get");
    const withQuery = new URL(stats);
    withQuery.searchParams.set("token", tokens[0]);
    const credentials: Array<[URL, Record<string, string>]> = [
      [withQuery, {}],
      [stats, { authorization: `Bearer ${tokens[0]}` }],
    ];
    for (const [target, headers] of credentials) {
      const response = await fetch(target, { headers });
      assert.equal(response.status, 200, `${target} ${JSON.stringify(headers)}`);
      assert.equal((await response.json()).state, "connecting");
    }
  } finally {
    for (const receiver of receivers) assert.equal((await receiver.stop()).code, 0);
    for (const home of homes) await Deno.remove(home, { recursive: true });
  }
});

Deno.test("the preview's token beyond loopback stays the same across runs, kept in the user's config folder", async () => {
  const home = await Deno.makeTempDir();
  const tokenOf = async (args: string[] = []) => {
    const receiver = new ToolProcess("receiver", ["--http", "0.0.0.0:0", ...args], {
      XDG_CONFIG_HOME: home,
    });
    try {
      return new URL(String((await receiver.waitFor("listening")).url)).searchParams.get("token");
    } finally {
      await receiver.stop();
    }
  };
  try {
    const first = await tokenOf();
    assert.match(first ?? "", /^[A-Za-z0-9_-]{32}$/);
    assert.equal(await tokenOf(), first, "the same token, so a bookmark keeps working");
    const file = `${home}/udpcam/http-token`;
    assert.equal((await Deno.readTextFile(file)).trim(), first);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600, "read by its owner alone");
    // --http-token wins, and is not stored.
    assert.equal(await tokenOf(["--http-token", "given-token-123"]), "given-token-123");
    assert.equal((await Deno.readTextFile(file)).trim(), first);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("sender --copy of a source that is not MJPEG says so at once, with what to do, and exits 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = `${dir}/phone.mp4`;
    await makeMp4(clip, 20);
    const started = Date.now();
    const { code, stderr } = await runTool("sender", [
      ...["--source", clip, "--copy", "--listen", "127.0.0.1:0"],
    ]);
    assert.equal(code, 1, stderr);
    assertOneLineError(
      stderr,
      /--copy passes MJPEG frames through, and .*phone\.mp4 is h264: drop --copy/,
    );
    // The 20 s clip is not played out first.
    assert.ok(Date.now() - started < 10_000, `${Date.now() - started} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a receiver that hears nothing for 5 s says what to check in its log, status and /stats, and keeps trying", async () => {
  // A port where nothing answers.
  const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  const { port } = socket.addr as Deno.NetAddr;
  const receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
  try {
    const { url } = await receiver.waitFor("listening");
    const said = await receiver.waitFor("state", (line) => line.to === "connecting", 9000);
    assert.match(String(said.reason), /no answer for 5 s: .* firewall/);
    assert.equal(said.sender, `127.0.0.1:${port}`);
    const stats = await (await fetch(`${url}stats`)).json();
    assert.equal(stats.state, "connecting");
    assert.match(stats.stateReason, /firewall/);
    // Still trying: hellos keep coming.
    const buffer = new Uint8Array(2048);
    await socket.receive(buffer);
  } finally {
    await receiver.stop();
    socket.close();
  }
});

Deno.test("a sender on every interface names the addresses receivers connect to, each a command to paste", async () => {
  const sender = new ToolProcess("sender", ["--source", "test", "--listen", "0.0.0.0:0"]);
  try {
    const listening = await sender.waitFor("listening");
    const port = String(listening.address).split(":").at(-1);
    const lan = Deno.networkInterfaces()
      .filter((entry) => entry.family === "IPv4" && !entry.address.startsWith("127."))
      .map((entry) => `receiver ${entry.address}:${port}`);
    const commands = listening.connect as string[];
    assert.deepEqual(
      [...commands].sort(),
      (lan.length === 0 ? [`receiver 127.0.0.1:${port}`] : lan).sort(),
    );
  } finally {
    await sender.stop();
  }
});

Deno.test("a receiver whose preview listens on every interface names its LAN URLs, with the token", async () => {
  const home = await Deno.makeTempDir();
  const receiver = new ToolProcess("receiver", ["--http", "0.0.0.0:0"], { XDG_CONFIG_HOME: home });
  try {
    const listening = await receiver.waitFor("listening");
    const url = new URL(String(listening.url));
    const lan = Deno.networkInterfaces()
      .filter((entry) => entry.family === "IPv4" && !entry.address.startsWith("127."))
      .map((entry) => `http://${entry.address}:${url.port}/${url.search}`);
    assert.deepEqual(
      [...(listening.lanUrls as string[])].sort(),
      (lan.length === 0 ? [url.href] : lan).sort(),
    );
    // Each is this preview: its stats answer with the token.
    const stats = await fetch(new URL(`stats${url.search}`, (listening.lanUrls as string[])[0]));
    assert.equal(stats.status, 200);
    await stats.body?.cancel();
  } finally {
    await receiver.stop();
    await Deno.remove(home, { recursive: true });
  }
});
