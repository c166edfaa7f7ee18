import assert from "node:assert/strict";
import { Image } from "imagescript";
import { ToolProcess } from "../_tool.ts";

const WIDTH = 640;
const HEIGHT = 360;

/** A sender on 127.0.0.1 and a receiver of it with its preview. */
interface Pair {
  sender: ToolProcess;
  receiver: ToolProcess;
  /** The receiver's preview, ending in `/`. */
  url: string;
}

async function startPair(senderArgs: string[]): Promise<Pair> {
  const sender = new ToolProcess("sender", ["--listen", "127.0.0.1:0", ...senderArgs]);
  let receiver: ToolProcess | undefined;
  try {
    const listening = await sender.waitFor("listening");
    const port = String(listening.address).split(":").at(-1);
    receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
    const url = String((await receiver.waitFor("listening")).url);
    await receiver.waitFor("state", (e) => e.to === "live");
    return { sender, receiver, url };
  } catch (error) {
    await receiver?.stop();
    await sender.stop();
    throw error;
  }
}

async function stopPair(pair: Pair): Promise<void> {
  await pair.receiver.stop();
  await pair.sender.stop();
}

async function snapshot(pair: Pair): Promise<Image> {
  const response = await fetch(`${pair.url}snapshot.jpg`);
  assert.equal(response.status, 200);
  return await Image.decode(new Uint8Array(await response.arrayBuffer()));
}

/** A corner a quarter of the frame wide and a sixth of it tall. */
function corner(name: "top-right" | "bottom-left") {
  const width = WIDTH / 2;
  const height = HEIGHT / 6;
  return name === "top-right"
    ? { x: WIDTH - width, y: 0, width, height }
    : { x: 0, y: HEIGHT - height, width, height };
}

/** How many pixels of a rectangle differ by more than JPEG noise between two images. */
function differingPixels(
  a: Image,
  b: Image,
  rect: { x: number; y: number; width: number; height: number },
): number {
  let count = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const i = (y * a.width + x) * 4;
      let delta = 0;
      for (let c = 0; c < 3; c++) delta += Math.abs(a.bitmap[i + c] - b.bitmap[i + c]);
      if (delta > 60) count++;
    }
  }
  return count;
}

/** Makes a flat blue MJPEG clip. */
async function blueClip(dir: string): Promise<string> {
  const path = `${dir}/blue.avi`;
  const { code, stderr } = await new Deno.Command("ffmpeg", {
    args: [
      ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
      ...["-i", `color=c=blue:size=${WIDTH}x${HEIGHT}:rate=15`, "-t", "1"],
      ...["-c:v", "mjpeg", "-q:v", "2", "-pix_fmt", "yuvj420p", path],
    ],
    stdin: "null",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return path;
}

const OVERLAY = ["--overlay", "{host} {time}", "--overlay-position", "bottom-left"];

Deno.test("sender --overlay on a file burns the text into its corner and nowhere else, and the clock runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clip = await blueClip(dir);
    const source = ["--source", clip, "--loop"];
    const [plain, drawn] = await Promise.all([
      startPair(source),
      startPair([...source, ...OVERLAY]),
    ]);
    try {
      const before = await snapshot(plain);
      const first = await snapshot(drawn);
      const bottomLeft = corner("bottom-left");
      const topRight = corner("top-right");
      const overlaid = differingPixels(before, first, bottomLeft);
      const untouched = differingPixels(before, first, topRight);
      assert.ok(overlaid > 500, `only ${overlaid} pixels differ in the overlay's corner`);
      assert.equal(untouched, 0, "the opposite corner differs");
      // {time} is read as frames are drawn: a later frame shows another second.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const later = await snapshot(drawn);
      const ticked = differingPixels(first, later, bottomLeft);
      assert.ok(ticked > 10, `the clock did not move (${ticked} pixels)`);
      assert.equal(differingPixels(first, later, topRight), 0);
    } finally {
      await Promise.all([stopPair(plain), stopPair(drawn)]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sender --overlay on the test pattern draws it in-process, in its corner only", async () => {
  const source = ["--source", "test", "--fps", "10"];
  const [plain, drawn] = await Promise.all([
    startPair(source),
    startPair([...source, ...OVERLAY]),
  ]);
  try {
    const before = await snapshot(plain);
    const after = await snapshot(drawn);
    assert.deepEqual([after.width, after.height], [WIDTH, HEIGHT]);
    const overlaid = differingPixels(before, after, corner("bottom-left"));
    const untouched = differingPixels(before, after, corner("top-right"));
    assert.ok(overlaid > 500, `only ${overlaid} pixels differ in the overlay's corner`);
    assert.equal(untouched, 0, "the opposite corner differs");
  } finally {
    await Promise.all([stopPair(plain), stopPair(drawn)]);
  }
});
