import assert from "node:assert/strict";
import { UsageError } from "../../lib/cli/cli_error.ts";
import { parseReceiverArgs } from "../../lib/app/receiver_args.ts";
import { RECEIVER_HELP } from "../../lib/app/receiver_help.ts";
import { parseSenderArgs } from "../../lib/app/sender_args.ts";
import { SENDER_HELP } from "../../lib/app/sender_help.ts";
import { parseSwitchFlag } from "../../lib/cli/switch_flag.ts";
import { SENDER_DEFAULTS } from "../../lib/send/sender_defaults.ts";

const SPREAD = SENDER_DEFAULTS.spreadMs;

/** Matches a {@linkcode UsageError} whose message names `flag`. */
function usageError(flag: string) {
  return (error: unknown) => error instanceof UsageError && error.message.includes(flag);
}

Deno.test("parseSenderArgs() reads --fec, --adapt and --spread", () => {
  const cases: Array<[string[], { fec: number; adapt: boolean; spreadMs: number }]> = [
    [[], { fec: 0, adapt: true, spreadMs: SPREAD }],
    [["--fec", "10"], { fec: 10, adapt: true, spreadMs: SPREAD }],
    [["--fec", "2"], { fec: 2, adapt: true, spreadMs: SPREAD }],
    [["--fec", "64"], { fec: 64, adapt: true, spreadMs: SPREAD }],
    [["--fec", "off"], { fec: 0, adapt: true, spreadMs: SPREAD }],
    [["--fec", "0"], { fec: 0, adapt: true, spreadMs: SPREAD }],
    [["--adapt", "off"], { fec: 0, adapt: false, spreadMs: SPREAD }],
    [["--adapt", "on"], { fec: 0, adapt: true, spreadMs: SPREAD }],
    [["--spread", "0"], { fec: 0, adapt: true, spreadMs: 0 }],
    [["--fec", "8", "--adapt=off", "--spread", "12"], { fec: 8, adapt: false, spreadMs: 12 }],
  ];
  for (const [argv, expected] of cases) {
    const { fec, adapt, spreadMs } = parseSenderArgs(argv);
    assert.deepEqual({ fec, adapt, spreadMs }, expected, argv.join(" ") || "no flags");
  }
});

Deno.test("parseSenderArgs() rejects a bad --fec, --adapt or --spread, naming the flag", () => {
  const cases: Array<[string[], string]> = [
    [["--fec", "1"], "--fec"],
    [["--fec", "65"], "--fec"],
    [["--fec", "on"], "--fec"],
    [["--fec", "-3"], "--fec"],
    [["--fec"], "--fec"],
    [["--adapt", "maybe"], "--adapt"],
    [["--adapt", "OFF"], "--adapt"],
    [["--adapt"], "--adapt"],
    [["--spread", "-1"], "--spread"],
    [["--spread", "1001"], "--spread"],
  ];
  for (const [argv, flag] of cases) {
    assert.throws(() => parseSenderArgs(argv), usageError(flag), argv.join(" "));
  }
});

Deno.test("parseReceiverArgs() reads --latency and --nack", () => {
  const cases: Array<[string[], { latencyMs: number | undefined; nack: boolean }]> = [
    [[], { latencyMs: undefined, nack: true }],
    [["--latency", "80"], { latencyMs: 80, nack: true }],
    [["--latency", "auto"], { latencyMs: undefined, nack: true }],
    [["--latency", "1"], { latencyMs: 1, nack: true }],
    [["--nack", "off"], { latencyMs: undefined, nack: false }],
    [["--nack", "on"], { latencyMs: undefined, nack: true }],
    [["--latency", "200", "--nack", "off"], { latencyMs: 200, nack: false }],
  ];
  for (const [argv, expected] of cases) {
    const { latencyMs, nack } = parseReceiverArgs(argv);
    assert.deepEqual({ latencyMs, nack }, expected, argv.join(" ") || "no flags");
  }
});

Deno.test("parseReceiverArgs() rejects a bad --latency or --nack, naming the flag", () => {
  const cases: Array<[string[], string]> = [
    [["--latency", "0"], "--latency"],
    [["--latency", "10001"], "--latency"],
    [["--latency", "80ms"], "--latency"],
    [["--latency"], "--latency"],
    [["--nack", "no"], "--nack"],
    [["--nack"], "--nack"],
  ];
  for (const [argv, flag] of cases) {
    assert.throws(() => parseReceiverArgs(argv), usageError(flag), argv.join(" "));
  }
});

Deno.test("parseSwitchFlag() reads on and off, and falls back when the flag is absent", () => {
  assert.equal(parseSwitchFlag("on", "--x", false), true);
  assert.equal(parseSwitchFlag("off", "--x", true), false);
  assert.equal(parseSwitchFlag(undefined, "--x", true), true);
  assert.equal(parseSwitchFlag(undefined, "--x", false), false);
  assert.throws(
    () => parseSwitchFlag("yes", "--x", true),
    { name: "UsageError", message: '--x needs on or off, got "yes"' },
  );
});

Deno.test("parseReceiverArgs() reads --http-token, and leaves it unset by default", () => {
  assert.equal(parseReceiverArgs([]).httpToken, undefined);
  const cases = ["s3cret-token", "12345678", 'a+b/c=d;e,f"g%h&i#j', "x".repeat(256)];
  for (const token of cases) {
    assert.equal(parseReceiverArgs(["--http-token", token]).httpToken, token);
    assert.equal(parseReceiverArgs([`--http-token=${token}`]).httpToken, token);
  }
});

Deno.test("parseReceiverArgs() rejects a bad --http-token without repeating it", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--http-token"], /--http-token needs a value/],
    [["--http-token", ""], /--http-token needs 8 to 256 characters, got 0/],
    [["--http-token", "short12"], /--http-token needs 8 to 256 characters, got 7/],
    [["--http-token", "x".repeat(257)], /--http-token needs 8 to 256 characters, got 257/],
    [["--http-token", "has a space"], /--http-token takes printable ASCII only/],
    [["--http-token", "tab\tinside"], /--http-token takes printable ASCII only/],
    [["--http-token", "newline\n12"], /--http-token takes printable ASCII only/],
    [["--http-token", "non-ascii-é"], /--http-token takes printable ASCII only/],
    [["--http-token", "control\x7f12"], /--http-token takes printable ASCII only/],
  ];
  for (const [argv, pattern] of cases) {
    const token = argv[1];
    assert.throws(
      () => parseReceiverArgs(argv),
      (error: unknown) =>
        error instanceof UsageError && pattern.test(error.message) &&
        !(token && error.message.includes(token)),
      JSON.stringify(argv),
    );
  }
});

Deno.test("parseReceiverArgs() reads --record, --record-segment, --ffmpeg and --open", () => {
  const cases: Array<[string[], Record<string, unknown>]> = [
    [[], { record: undefined, recordSegmentSeconds: undefined, ffmpeg: undefined, open: false }],
    [["--open"], {
      record: undefined,
      recordSegmentSeconds: undefined,
      ffmpeg: undefined,
      open: true,
    }],
    [["--record", "cam.mkv"], {
      record: "cam.mkv",
      recordSegmentSeconds: undefined,
      ffmpeg: undefined,
      open: false,
    }],
    [["--record", "d/CAM.AVI"], {
      record: "d/CAM.AVI",
      recordSegmentSeconds: undefined,
      ffmpeg: undefined,
      open: false,
    }],
    [["--record", "cam.mjpeg", "--record-segment", "10m"], {
      record: "cam.mjpeg",
      recordSegmentSeconds: 600,
      ffmpeg: undefined,
      open: false,
    }],
    [["--record", "cam.mkv", "--record-segment", "90"], {
      record: "cam.mkv",
      recordSegmentSeconds: 90,
      ffmpeg: undefined,
      open: false,
    }],
    [["--record", "cam.mkv", "--record-segment", "1s"], {
      record: "cam.mkv",
      recordSegmentSeconds: 1,
      ffmpeg: undefined,
      open: false,
    }],
    [["--record", "cam.mkv", "--record-segment", "24h"], {
      record: "cam.mkv",
      recordSegmentSeconds: 86_400,
      ffmpeg: undefined,
      open: false,
    }],
    [["--record=cam.mkv", "--ffmpeg", "/opt/ffmpeg", "--open"], {
      record: "cam.mkv",
      recordSegmentSeconds: undefined,
      ffmpeg: "/opt/ffmpeg",
      open: true,
    }],
    // No extension: a folder, a file a camera in it.
    [["--record", "recordings"], {
      record: "recordings",
      recordSegmentSeconds: undefined,
      ffmpeg: undefined,
      open: false,
    }],
  ];
  for (const [argv, expected] of cases) {
    const { record, recordSegmentSeconds, ffmpeg, open } = parseReceiverArgs(argv);
    assert.deepEqual({ record, recordSegmentSeconds, ffmpeg, open }, expected, argv.join(" "));
  }
});

Deno.test("parseReceiverArgs() rejects a bad --record or --record-segment, naming the flag", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--record"], /--record needs a value/],
    [["--record", "cam.mp4"], /--record needs a \.mkv, \.avi or \.mjpeg file, got "cam\.mp4"/],
    [["--record-segment", "10m"], /^--record-segment needs --record FILE$/],
    [
      ["--record", "a.mkv", "--record-segment", "0"],
      /--record-segment needs a duration from 1s to 24h/,
    ],
    [["--record", "a.mkv", "--record-segment", "0.5s"], /from 1s to 24h, got "0\.5s"/],
    [["--record", "a.mkv", "--record-segment", "24h1s"], /from 1s to 24h, got "24h1s"/],
    [["--record", "a.mkv", "--record-segment", "ten"], /such as 90, 30s, 10m or 1h, got "ten"/],
    [["--ffmpeg", "/opt/ffmpeg"], /--ffmpeg is for --record/],
    [["--record", "a.mkv", "--ffmpeg", ""], /--ffmpeg needs a path/],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(
      () => parseReceiverArgs(argv),
      (error: unknown) => error instanceof UsageError && pattern.test(error.message),
      JSON.stringify(argv),
    );
  }
});

Deno.test("every command in receiver --help's examples is accepted by the tool it names", () => {
  const examples = RECEIVER_HELP.slice(RECEIVER_HELP.indexOf("\nExamples:\n"));
  const commands = examples.split("\n").flatMap((line) =>
    [...line.matchAll(/(?:^\s+|run: )((?:sender|receiver)(?: \S+)*)/g)].map((match) => match[1])
  );
  for (const flag of ["--open", "--key-file", "--record", "--record-segment", "--http"]) {
    assert.ok(
      commands.some((command) =>
        command.split(" ").slice(1).includes(flag) && command.startsWith("receiver")
      ),
      `a receiver example of ${flag}`,
    );
  }
  assert.ok(commands.some((command) => command.startsWith("sender")), "the sender to run");
  for (const command of commands) {
    const [tool, ...argv] = command.split(" ").map((word) =>
      word === '"$TOKEN"' ? "a-token-of-your-own" : word
    );
    if (tool === "sender") parseSenderArgs(argv, { hostname: "h" });
    else parseReceiverArgs(argv);
  }
});

Deno.test("parseSenderArgs() reads --overlay and --overlay-position, top-left by default", () => {
  assert.equal(parseSenderArgs([]).overlay, undefined);
  const cases: Array<[string[], { text: string; position: string; placeholders: string[] }]> = [
    [["--overlay", "{time}"], { text: "{time}", position: "top-left", placeholders: ["time"] }],
    [["--overlay", "{host} {date} {time}", "--overlay-position", "bottom-left"], {
      text: "{host} {date} {time}",
      position: "bottom-left",
      placeholders: ["host", "date", "time"],
    }],
    [["--overlay={fps} fps", "--overlay-position=top-right"], {
      text: "{fps} fps",
      position: "top-right",
      placeholders: ["fps"],
    }],
    [["--overlay", "cam {{1}}", "--overlay-position", "bottom-right"], {
      text: "cam {{1}}",
      position: "bottom-right",
      placeholders: [],
    }],
    [["--source", "test", "--overlay", "{time}"], {
      text: "{time}",
      position: "top-left",
      placeholders: ["time"],
    }],
  ];
  for (const [argv, expected] of cases) {
    const overlay = parseSenderArgs(argv).overlay!;
    const placeholders = overlay.parts.flatMap((part) =>
      "placeholder" in part ? [part.placeholder] : []
    );
    assert.deepEqual(
      { text: overlay.text, position: overlay.position, placeholders },
      expected,
      argv.join(" "),
    );
  }
});

Deno.test("parseSenderArgs() rejects a bad --overlay, naming the flag and the placeholders", () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ["--overlay", "{foo}"],
      /^--overlay: unknown placeholder \{foo\}: .*\{time\}, \{date\}, \{fps\}, \{host\}$/,
    ],
    [["--overlay", "{time"], /^--overlay: unclosed \{/],
    [["--overlay", "a}b"], /^--overlay: lone \}/],
    [["--overlay", ""], /^--overlay is empty/],
    [["--overlay", "  "], /^--overlay is empty/],
    [["--overlay", "a\nb"], /^--overlay: overlay text must be one line of printable characters$/],
    [["--overlay"], /^--overlay needs a value/],
    [
      ["--overlay", "x", "--overlay-position", "center"],
      /^--overlay-position needs top-left, top-right, bottom-left, bottom-right, got "center"$/,
    ],
    [["--overlay-position", "top-left"], /^--overlay-position places --overlay text/],
    [
      ["--overlay", "{time}", "--copy"],
      /^--overlay draws on decoded frames, and --copy .*; drop one$/,
    ],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseSenderArgs(argv),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
      JSON.stringify(argv),
    );
  }
});

Deno.test("parseSenderArgs() reads --name, and defaults it to the host name cut to 64 bytes", () => {
  assert.equal(parseSenderArgs([], { hostname: "porch-pi" }).name, "porch-pi");
  assert.equal(parseSenderArgs([], { hostname: "porch-pi" }).host, "porch-pi");
  assert.equal(parseSenderArgs([]).host, Deno.hostname());
  const long = "a".repeat(70);
  assert.equal(parseSenderArgs([], { hostname: long }).name, "a".repeat(64));
  assert.equal(parseSenderArgs([], { hostname: long }).host, long, "{host} is not cut");
  // Cut on a character: 21 three-byte characters fit in 64 bytes, a 22nd does not.
  assert.equal(parseSenderArgs([], { hostname: "€".repeat(30) }).name, "€".repeat(21));
  const names = ["Kitchen", "Küche 📷", "cam 2 (garden)", "x".repeat(64), "é".repeat(32)];
  for (const name of names) {
    assert.equal(parseSenderArgs(["--name", name], { hostname: "h" }).name, name);
  }
});

Deno.test("parseSenderArgs() rejects an empty, unprintable or too long --name", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--name", ""], /^--name is empty/],
    [["--name", "   "], /^--name is empty/],
    [["--name", "x".repeat(65)], /^--name takes at most 64 bytes of UTF-8, got 65$/],
    [["--name", "é".repeat(33)], /^--name takes at most 64 bytes of UTF-8, got 66$/],
    [["--name", "two\nlines"], /^--name takes printable characters only/],
    [["--name", "tab\there"], /^--name takes printable characters only/],
    [["--name", "nul\0"], /^--name takes printable characters only/],
    [["--name", "esc\x1b[31m"], /^--name takes printable characters only/],
    [["--name"], /^--name needs a value/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseSenderArgs(argv, { hostname: "h" }),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
      JSON.stringify(argv),
    );
  }
});

/** Splits a command line as a POSIX shell does for the plain and double-quoted words of the help. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]);
}

Deno.test("every command in sender --help's examples is accepted by the tool it names", () => {
  const examples = SENDER_HELP.slice(SENDER_HELP.indexOf("\nExamples:\n"));
  const commands = examples.split("\n")
    .map((line) => /^\s+((?:sender|receiver) .*?)(?:\s{2,}\S.*)?$/.exec(line)?.[1])
    .filter((command) => command !== undefined);
  for (const tool of ["sender", "receiver"]) {
    assert.ok(commands.some((command) => command.startsWith(`${tool} `)), `a ${tool} example`);
  }
  for (const flag of ["--overlay", "--key-file", "--loop", "--list-cameras", "--name"]) {
    assert.ok(commands.some((command) => words(command).includes(flag)), `an example of ${flag}`);
  }
  for (const command of commands) {
    const [tool, ...argv] = words(command);
    if (tool === "sender") parseSenderArgs(argv);
    else parseReceiverArgs(argv);
  }
});

Deno.test("parseReceiverArgs() reads rtp://HOST:PORT as an RTP/JPEG source, and refuses udpcam's own flags with it", () => {
  const args = parseReceiverArgs(["rtp://0.0.0.0:5004"]);
  assert.deepEqual(args.rtp, { hostname: "0.0.0.0", port: 5004 });
  assert.deepEqual(parseReceiverArgs(["RTP://239.1.2.3:5004/"]).rtp, {
    hostname: "239.1.2.3",
    port: 5004,
  });
  assert.equal(parseReceiverArgs(["10.0.0.2:9000"]).rtp, undefined);
  for (const flag of ["--key", "--nack", "--latency"]) {
    assert.throws(
      () => parseReceiverArgs(["rtp://0.0.0.0:5004", flag, flag === "--nack" ? "off" : "50"]),
      usageError(flag),
      flag,
    );
  }
  assert.throws(() => parseReceiverArgs(["rtp://0.0.0.0"]), usageError("rtp://"));
  assert.throws(
    () => parseReceiverArgs(["rtp://0.0.0.0:5004", "--connect", "a:1"]),
    usageError("--connect"),
  );
});

Deno.test("parseReceiverArgs() reads --sdp FILE, with no address and none of udpcam's own flags", () => {
  assert.equal(parseReceiverArgs(["--sdp", "cam.sdp"]).sdp, "cam.sdp");
  assert.throws(() => parseReceiverArgs(["--sdp", ""]), usageError("--sdp"));
  assert.throws(
    () => parseReceiverArgs(["rtp://0.0.0.0:5004", "--sdp", "a.sdp"]),
    usageError("--sdp"),
  );
  assert.throws(() => parseReceiverArgs(["--sdp", "a.sdp", "--key", "k"]), usageError("--key"));
});

Deno.test("parseSenderArgs() reads --rtp, --ttl and --sdp, and says what is wrong with them", () => {
  const unicast = parseSenderArgs([
    "--source",
    "a.avi",
    "--rtp",
    "10.0.0.5:5004",
    "--sdp",
    "a.sdp",
  ]);
  assert.deepEqual(unicast.rtp, {
    to: { hostname: "10.0.0.5", port: 5004 },
    ttl: undefined,
    sdp: "a.sdp",
  });
  assert.equal(parseSenderArgs(["--source", "a.avi", "--rtp", "239.1.2.3:5004"]).rtp?.ttl, 1);
  assert.equal(
    parseSenderArgs(["--source", "a.avi", "--rtp", "239.1.2.3:5004", "--ttl", "4"]).rtp?.ttl,
    4,
  );
  assert.equal(parseSenderArgs([]).rtp, undefined);
  const cases: Array<[string[], string]> = [
    [["--source", "a.avi", "--rtp", "10.0.0.5"], "--rtp"],
    [["--source", "a.avi", "--rtp", "10.0.0.5:5004", "--ttl", "2"], "--ttl"],
    [["--source", "a.avi", "--rtp", "239.1.2.3:5004", "--ttl", "300"], "--ttl"],
    [["--source", "a.avi", "--ttl", "2"], "--ttl"],
    [["--source", "a.avi", "--sdp", "a.sdp"], "--sdp"],
    [["--source", "test", "--rtp", "10.0.0.5:5004"], "test pattern"],
  ];
  for (const [argv, said] of cases) {
    assert.throws(() => parseSenderArgs(argv), usageError(said), argv.join(" "));
  }
});

Deno.test("parseSenderArgs() reads --rtsp URL and --tutorial-port, and says what is wrong with them", () => {
  const args = parseSenderArgs([
    "--source",
    "a.avi",
    "--rtsp",
    "rtsp://cam:pw@media.lan:8554/porch",
    "--tutorial-port",
    "9999",
  ]);
  assert.deepEqual(args.rtsp, {
    url: "rtsp://media.lan:8554/porch",
    hostname: "media.lan",
    port: 8554,
    username: "cam",
    password: "pw",
  });
  assert.equal(args.tutorialPort, 9999);
  assert.equal(parseSenderArgs([]).tutorialPort, undefined);
  assert.equal(parseSenderArgs([]).rtsp, undefined);
  // The tutorial's clients may greet the test pattern; RTSP cannot carry it.
  assert.equal(parseSenderArgs(["--source", "test", "--tutorial-port", "9"]).tutorialPort, 9);
  const cases: Array<[string[], string]> = [
    [["--source", "a.avi", "--rtsp", "media.lan/porch"], "--rtsp"],
    [["--source", "a.avi", "--rtsp", "rtsps://media.lan/porch"], "rtsps://"],
    [["--source", "a.avi", "--rtsp", "rtsp://media.lan"], "path"],
    [["--source", "test", "--rtsp", "rtsp://media.lan/a"], "test pattern"],
    [["--tutorial-port", "0"], "--tutorial-port"],
    [["--tutorial-port", "8080"], "--listen"],
    [["--listen", "0.0.0.0:7000", "--tutorial-port", "7000"], "another"],
  ];
  for (const [argv, said] of cases) {
    assert.throws(() => parseSenderArgs(argv), usageError(said), argv.join(" "));
  }
});

Deno.test("parseReceiverArgs() reads tutorial://HOST:PORT as a tutorial server to join, and refuses udpcam's own flags with it", () => {
  assert.deepEqual(parseReceiverArgs(["tutorial://192.168.1.20:9999"]).tutorial, {
    hostname: "192.168.1.20",
    port: 9999,
  });
  assert.deepEqual(parseReceiverArgs(["TUTORIAL://host"]).tutorial, {
    hostname: "host",
    port: 8080,
  });
  assert.equal(parseReceiverArgs(["10.0.0.2:9000"]).tutorial, undefined);
  assert.throws(() => parseReceiverArgs(["tutorial://h:1", "--key", "k"]), usageError("--key"));
  assert.throws(() => parseReceiverArgs(["tutorial://h:0"]), usageError("tutorial://"));
});

Deno.test("parseReceiverArgs() takes the sender's address as the sender prints it too: udp://HOST:PORT or udpcam://HOST:PORT", () => {
  assert.deepEqual(parseReceiverArgs(["udp://10.0.0.2:9000"]).connect, {
    hostname: "10.0.0.2",
    port: 9000,
  });
  assert.deepEqual(parseReceiverArgs(["udpcam://[::1]:9000/"]).connect, {
    hostname: "::1",
    port: 9000,
  });
  assert.deepEqual(parseReceiverArgs(["UDP://cam.lan"]).connect, {
    hostname: "cam.lan",
    port: 8080,
  });
});

Deno.test("parseReceiverArgs() names a wrong address as it was typed, and a scheme it does not speak", () => {
  const typed = (text: string) => (error: unknown) =>
    error instanceof UsageError && error.message.includes(`"${text}"`) &&
    !error.message.includes("--connect");
  assert.throws(() => parseReceiverArgs(["127.0.0.1:99999"]), typed("127.0.0.1:99999"));
  assert.throws(() => parseReceiverArgs(["127.0.0.1:0"]), typed("127.0.0.1:0"));
  assert.throws(() => parseReceiverArgs(["http://cam.lan:8081/"]), typed("http://cam.lan:8081/"));
  assert.throws(() => parseReceiverArgs(["--connect", "h:99999"]), usageError("--connect"));
});

Deno.test("parseSenderArgs() refuses --copy with the test pattern, which is drawn here and has no frames of its own", () => {
  assert.throws(() => parseSenderArgs(["--source", "test", "--copy"]), usageError("--copy"));
});

Deno.test("parseSenderArgs() reads --announce on|off, on by default", () => {
  assert.equal(parseSenderArgs([]).announce, true);
  assert.equal(parseSenderArgs(["--announce", "off"]).announce, false);
  assert.throws(() => parseSenderArgs(["--announce", "maybe"]), usageError("--announce"));
});

Deno.test("parseReceiverArgs() with no address leaves the sender to be found; --discover lists and exits", () => {
  assert.equal(parseReceiverArgs([]).connect, undefined);
  assert.equal(parseReceiverArgs([]).discover, false);
  assert.equal(parseReceiverArgs(["--discover"]).discover, true);
  assert.deepEqual(parseReceiverArgs(["10.0.0.2"]).connect, { hostname: "10.0.0.2", port: 8080 });
  assert.throws(() => parseReceiverArgs(["--discover", "10.0.0.2"]), usageError("--discover"));
});

Deno.test("parseReceiverArgs() takes several senders, named or not, for a station", () => {
  const args = parseReceiverArgs([
    "front=camA.lan",
    "cam2:8090",
    "udp://10.0.0.5:9000",
    "--keys",
    "k.txt",
  ]);
  assert.deepEqual(args.cameras, [
    { name: "front", address: { hostname: "camA.lan", port: 8080 } },
    { address: { hostname: "cam2", port: 8090 } },
    { address: { hostname: "10.0.0.5", port: 9000 } },
  ]);
  assert.deepEqual(args.connect, { hostname: "camA.lan", port: 8080 });
  assert.equal(args.keys, "k.txt");
  assert.equal(args.all, false);
  assert.equal(parseReceiverArgs(["--all"]).all, true);
  assert.deepEqual(parseReceiverArgs(["--all"]).cameras, []);
  assert.deepEqual(parseReceiverArgs(["--all", "cam2"]).cameras, [
    { address: { hostname: "cam2", port: 8080 } },
  ]);
});

Deno.test("parseReceiverArgs() refuses a station it could not serve, with one line each", () => {
  const cases: Array<[string[], RegExp]> = [
    [["cam1", "cam1:8080"], /cam1:8080 is given twice/],
    [["a=cam1", "a=cam2"], /two cameras are named a/],
    [["bad name=cam1"], /the sender's address needs HOST\[:PORT\]|the camera's name/],
    [["x/y=cam1"], /the camera.s name "x\/y" must start with a letter or digit and have only/],
    [["_x=cam1"], /the camera.s name "_x" must start with a letter or digit/],
    [
      ["rtp://0.0.0.0:5004", "cam2"],
      /unexpected argument "cam2": rtp:\/\/, tutorial:\/\/ and --sdp take one source/,
    ],
    [["--all", "rtp://0.0.0.0:5004"], /--all joins every udpcam sender/],
    [["--all", "--discover"], /--all joins every udpcam sender/],
    [["cam1", "--keys", ""], /--keys needs the path of a keys file/],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(() => parseReceiverArgs(argv), pattern, argv.join(" "));
  }
});
