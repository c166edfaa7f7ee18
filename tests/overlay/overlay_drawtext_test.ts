import assert from "node:assert/strict";
import {
  drawtextFilter,
  drawtextFont,
  drawtextText,
  escapeFilterGraph,
  FALLBACK_FONT_FAMILY,
  quoteFilterValue,
} from "../../lib/overlay/drawtext_filter.ts";
import type { OverlayPosition } from "../../lib/overlay/overlay_layout.ts";
import { checkOverlaySupport, listsDrawtext } from "../../lib/ffmpeg/overlay_support.ts";
import { expandOverlayText, parseOverlayText } from "../../lib/overlay/overlay_text.ts";
import { runTool } from "../_tool.ts";

const WIDTH = 320;
const HEIGHT = 240;
/** Pure blue in RGB, as ffmpeg converts `color=c=blue` back from YUV. */
const BLUE = [0, 0, 255];

/**
 * Runs `frames` frames of a flat blue 320x240 source through the filter graph
 * `vf` and returns the last one as RGB bytes.
 */
async function render(vf: string, frames = 1): Promise<Uint8Array> {
  const { code, stdout, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-nostdin"],
      ...["-f", "lavfi", "-i", `color=c=blue:size=${WIDTH}x${HEIGHT}:rate=25`],
      ...["-frames:v", String(frames), "-vf", vf, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const size = WIDTH * HEIGHT * 3;
  assert.equal(stdout.length, size * frames);
  return stdout.slice(size * (frames - 1));
}

/**
 * Renders the same drawtext with `text` read from a file as it is (no
 * expansion, no escaping at all): what the overlay must look like.
 */
async function renderReference(
  text: string,
  options: { position?: OverlayPosition; frames?: number } = {},
): Promise<Uint8Array> {
  const { position = "top-left", frames = 1 } = options;
  const file = await Deno.makeTempFile({ suffix: ".txt" });
  try {
    await Deno.writeTextFile(file, text);
    const filter = drawtextFilter({
      parts: [{ text: "X" }],
      position,
      host: "",
      font: drawtextFont(),
    });
    assert.ok(filter.includes(":text=X:"));
    return await render(filter.replace(":text=X:", `:textfile=${file}:expansion=none:`), frames);
  } finally {
    await Deno.remove(file);
  }
}

function differs(a: Uint8Array, b: Uint8Array): boolean {
  return a.some((value, i) => value !== b[i]);
}

/** The smallest rectangle holding every pixel that is not blue (within ±24). */
function changedBounds(rgb: Uint8Array) {
  let x0 = WIDTH, y0 = HEIGHT, x1 = -1, y1 = -1;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 3;
      if (BLUE.every((value, c) => Math.abs(rgb[i + c] - value) <= 24)) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return { x0, y0, x1, y1 };
}

Deno.test("drawtextText() escapes \\ and % and turns placeholders into drawtext expansions", () => {
  const cases: Array<[string, string, string]> = [
    // [overlay, host, drawtext text]
    ["cam", "h", "cam"],
    ["{time}", "h", "%{localtime:%H\\:%M\\:%S}"],
    ["{date}", "h", "%{localtime:%Y-%m-%d}"],
    ["{fps} fps", "h", "%{eif:if(gt(t,0),round(n/t),0):d} fps"],
    ["{host}", "porch", "porch"],
    ["it's 100% a:b\\c", "h", "it's 100\\% a:b\\\\c"],
    ["{host}!", "50%\\off", "50\\%\\\\off!"],
    ["{{time}}", "h", "{time}"],
    ["%{{localtime}}", "h", "\\%{localtime}"],
  ];
  for (const [overlay, host, expected] of cases) {
    assert.equal(drawtextText(parseOverlayText(overlay), host), expected, overlay);
  }
});

Deno.test("quoteFilterValue() quotes only values with : \\ ' or edge spaces; escapeFilterGraph() escapes graph syntax", () => {
  const quoted: Array<[string, string]> = [
    ["plain", "plain"],
    ["max(12,h/24)", "max(12,h/24)"],
    ["DejaVu Sans Mono", "DejaVu Sans Mono"],
    ["a:b", "'a:b'"],
    ["C:\\Fonts\\mono.ttf", "'C:\\Fonts\\mono.ttf'"],
    ["it's", "'it'\\''s'"],
    [" lead", "' lead'"],
    ["trail ", "'trail '"],
    ["", "''"],
  ];
  for (const [value, expected] of quoted) assert.equal(quoteFilterValue(value), expected, value);
  const escaped: Array<[string, string]> = [
    ["text='a:b'", "text=\\'a:b\\'"],
    ["max(12,h/24)", "max(12\\,h/24)"],
    ["[in];[out]", "\\[in\\]\\;\\[out\\]"],
    ["a\\b", "a\\\\b"],
    ["plain:x=1", "plain:x=1"],
  ];
  for (const [args, expected] of escaped) assert.equal(escapeFilterGraph(args), expected, args);
});

Deno.test("drawtextFilter() draws hostile text in real ffmpeg exactly as written", async () => {
  const cases: Array<[string, string, string]> = [
    // [overlay, host, the text drawn]
    ["it's 100% a:b\\c", "cam", "it's 100% a:b\\c"],
    ["[x],y; 'q' \"d\" {{}} =", "cam", "[x],y; 'q' \"d\" {} ="],
    ["\\\\ %% \\' %{{pts}}", "cam", "\\\\ %% \\' %{pts}"],
    ["{host}", "it's 50%:a\\b,[c];", "it's 50%:a\\b,[c];"],
    ["  Küche  ", "cam", "  Küche  "],
  ];
  const plain = await render("null");
  for (const [overlay, host, text] of cases) {
    const filter = drawtextFilter({
      parts: parseOverlayText(overlay),
      position: "bottom-right",
      host,
      font: drawtextFont(),
    });
    const drawn = await render(filter);
    assert.ok(differs(drawn, plain), `${overlay}: something is drawn`);
    const expected = await renderReference(text, { position: "bottom-right" });
    assert.ok(!differs(drawn, expected), `${overlay}: drawn as ${JSON.stringify(text)}`);
  }
});

Deno.test("drawtextFilter() shows {date} and {time} as the local clock reads, as the in-process overlay does", async () => {
  const parts = parseOverlayText("{date} {time}");
  const filter = drawtextFilter({ parts, position: "top-left", host: "", font: drawtextFont() });
  // Retried when the second turns over while ffmpeg runs.
  for (let attempt = 1;; attempt++) {
    const before = expandOverlayText(parts, { time: Date.now(), fps: 0, host: "" });
    const drawn = await render(filter);
    const after = expandOverlayText(parts, { time: Date.now(), fps: 0, host: "" });
    if (before !== after && attempt < 4) continue;
    assert.ok(!differs(drawn, await renderReference(before)), `drawn as "${before}"`);
    return;
  }
});

Deno.test("drawtextFilter() shows {fps} as the rate frames come at", async () => {
  const filter = drawtextFilter({
    parts: parseOverlayText("{fps} fps"),
    position: "top-left",
    host: "",
    font: drawtextFont(),
  });
  // The source gives 25 frames a second; by the 12th the count is settled.
  const drawn = await render(filter, 12);
  assert.ok(!differs(drawn, await renderReference("25 fps", { frames: 12 })));
  assert.ok(differs(drawn, await renderReference("24 fps", { frames: 12 })));
});

Deno.test("drawtextFilter() puts the box in the corner asked for, inset by 1/40 of the height", async () => {
  const margin = HEIGHT / 40;
  const parts = parseOverlayText("{time}");
  for (const position of ["top-left", "top-right", "bottom-left", "bottom-right"] as const) {
    const filter = drawtextFilter({ parts, position, host: "", font: drawtextFont() });
    const box = changedBounds(await render(filter));
    const near = (value: number, expected: number) =>
      assert.ok(Math.abs(value - expected) <= 1, `${position}: ${value} is not ${expected}`);
    if (position.endsWith("left")) near(box.x0, margin);
    else near(box.x1, WIDTH - 1 - margin);
    if (position.startsWith("top")) near(box.y0, margin);
    else near(box.y1, HEIGHT - 1 - margin);
    // Eight characters of a 12 px font and the padding: far from the other side.
    assert.ok(box.x1 - box.x0 < WIDTH / 2, `${position}: ${JSON.stringify(box)}`);
    assert.ok(box.y1 - box.y0 < HEIGHT / 4, `${position}: ${JSON.stringify(box)}`);
  }
});

Deno.test("drawtextFont() gives ffmpeg the package's font file, and the fontconfig family also draws", async () => {
  const font = drawtextFont();
  assert.ok("file" in font, "a real file when not compiled");
  assert.match(font.file, /DejaVuSansMono\.ttf$/);
  assert.ok((await Deno.stat(font.file)).isFile);
  const filter = drawtextFilter({
    parts: parseOverlayText("fallback"),
    position: "top-left",
    host: "",
    font: { family: FALLBACK_FONT_FAMILY },
  });
  assert.ok(differs(await render(filter), await render("null")));
});

Deno.test("listsDrawtext() finds drawtext in ffmpeg's filter list, and this ffmpeg has it", async () => {
  const header = "Filters:\n  T.. = Timeline support\n ------\n";
  assert.ok(listsDrawtext(`${header} T.C drawtext          V->V       Draw text\n`));
  assert.ok(!listsDrawtext(`${header} ... scale             V->V       Scale\n`));
  assert.ok(!listsDrawtext(`${header} T.. drawtextish       V->V       Not it\n`));
  await checkOverlaySupport("ffmpeg");
});

Deno.test("sender --overlay with an ffmpeg that has no drawtext says so in one line and exits 1", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fake = `${dir}/ffmpeg`;
    await Deno.writeTextFile(
      fake,
      "#!/bin/sh\necho 'Filters:'\necho ' ... scale             V->V       Scale'\n",
    );
    await Deno.chmod(fake, 0o755);
    const { code, stderr } = await runTool("sender", [
      ...["--listen", "127.0.0.1:0", "--source", "clip.avi", "--ffmpeg", fake],
      ...["--overlay", "{time}"],
    ]);
    assert.equal(code, 1);
    const lines = stderr.trim().split("\n").filter((line) => line.startsWith("error:"));
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], /^error: --overlay needs ffmpeg's drawtext filter/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sender --overlay with an unknown placeholder, empty text or --copy is a usage error", async () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ["--overlay", "{foo}"],
      /^error: --overlay: unknown placeholder \{foo\}: .*\{time\}, \{date\}, \{fps\}, \{host\}$/,
    ],
    [["--overlay", ""], /^error: --overlay is empty/],
    [["--overlay", "{time}", "--copy"], /^error: --overlay draws on decoded frames.*--copy/],
    [
      ["--overlay", "x", "--overlay-position", "middle"],
      /^error: --overlay-position needs top-left, top-right, bottom-left, bottom-right, got "middle"$/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await runTool("sender", args);
    assert.equal(code, 2, args.join(" "));
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
    assert.match(stderr.trim(), pattern);
  }
});
