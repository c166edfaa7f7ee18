import assert from "node:assert/strict";
import { FfmpegNotFoundError } from "../../lib/ffmpeg/ffmpeg_not_found_error.ts";

Deno.test("ffmpeg missing from the PATH: how to install it, or where to point --ffmpeg", () => {
  assert.equal(
    new FfmpegNotFoundError("ffmpeg", { os: "linux" }).message,
    "ffmpeg not found on the PATH: install it with sudo apt install ffmpeg " +
      "(or sudo dnf install ffmpeg, sudo pacman -S ffmpeg), or pass --ffmpeg PATH",
  );
});

Deno.test("ffmpeg missing at a path the user gave: that path is the fix, not --ffmpeg PATH back", () => {
  const message = new FfmpegNotFoundError("/opt/ff/ffmpeg", { os: "windows" }).message;
  assert.match(
    message,
    /^ffmpeg not found at "\/opt\/ff\/ffmpeg": correct that path \(--ffmpeg or FFMPEG\), or install ffmpeg with winget/,
  );
  assert.doesNotMatch(message, /pass --ffmpeg PATH/);
});
