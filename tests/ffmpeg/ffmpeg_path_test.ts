import assert from "node:assert/strict";
import { resolveFfmpegPath } from "../../lib/ffmpeg/ffmpeg_path.ts";

Deno.test("resolveFfmpegPath() prefers the flag, then FFMPEG, then ffmpeg", () => {
  assert.equal(resolveFfmpegPath("/opt/ffmpeg", "/usr/bin/ffmpeg"), "/opt/ffmpeg");
  assert.equal(resolveFfmpegPath(undefined, "/usr/bin/ffmpeg"), "/usr/bin/ffmpeg");
  assert.equal(resolveFfmpegPath("", ""), "ffmpeg");
  assert.equal(resolveFfmpegPath(), "ffmpeg");
});
