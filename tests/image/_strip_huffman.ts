/** JPEGs without their Huffman tables, as many webcams send them, for the tests. */
import { concatBytes } from "../../lib/util/concat_bytes.ts";

/** `jpeg` with every DHT segment before its scan taken out. */
export function stripHuffmanTables(jpeg: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [jpeg.subarray(0, 2)];
  let pos = 2;
  while (pos + 3 < jpeg.length && jpeg[pos + 1] !== 0xda) {
    const end = pos + 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
    if (jpeg[pos + 1] !== 0xc4) parts.push(jpeg.subarray(pos, end));
    pos = end;
  }
  parts.push(jpeg.subarray(pos));
  return concatBytes(parts);
}

/** Whether `jpeg` has a DHT segment before its scan. */
export function hasHuffmanTables(jpeg: Uint8Array): boolean {
  let pos = 2;
  while (pos + 3 < jpeg.length && jpeg[pos + 1] !== 0xda) {
    if (jpeg[pos + 1] === 0xc4) return true;
    pos += 2 + ((jpeg[pos + 2] << 8) | jpeg[pos + 3]);
  }
  return false;
}

/** ffmpeg's MD5 of `jpeg` decoded (ffmpeg assumes the standard tables where there are none). */
export async function decodedMd5(jpeg: Uint8Array): Promise<string> {
  const child = new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-f", "mjpeg", "-i", "-", "-f", "md5", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(jpeg);
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

/** One JPEG of a test pattern, with the standard tables written out (`-huffman default`). */
export function standardJpeg(size = "320x240", pixelFormat = "yuvj420p"): Promise<Uint8Array> {
  return encodeJpeg(size, ["-pix_fmt", pixelFormat, "-c:v", "mjpeg", "-huffman", "default"]);
}

/** One JPEG of a test pattern of `size`, encoded by ffmpeg with `codecArgs`. */
export async function encodeJpeg(size: string, codecArgs: string[]): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=${size}`,
      "-frames:v",
      "1",
      ...codecArgs,
      "-f",
      "image2pipe",
      "-",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return out.stdout;
}
