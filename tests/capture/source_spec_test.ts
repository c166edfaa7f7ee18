import assert from "node:assert/strict";
import {
  formatSourceSpec,
  parseSourceSpec,
  type SourceSpec,
} from "../../lib/capture/source_spec.ts";

const CASES: [string, SourceSpec][] = [
  ["camera", { kind: "camera" }],
  ["camera:2", { kind: "camera", device: "2" }],
  ["camera:/dev/video1", { kind: "camera", device: "/dev/video1" }],
  ["camera:Integrated Camera", { kind: "camera", device: "Integrated Camera" }],
  ["camera:FaceTime HD Camera", { kind: "camera", device: "FaceTime HD Camera" }],
  ["test", { kind: "test" }],
  ["clip.mp4", { kind: "file", path: "clip.mp4" }],
  ["./camera", { kind: "file", path: "./camera" }],
  ["/home/me/My Videos/a.mkv", { kind: "file", path: "/home/me/My Videos/a.mkv" }],
  ["C:\\Videos\\a.mp4", { kind: "file", path: "C:\\Videos\\a.mp4" }],
  ["C:/Videos/a.mp4", { kind: "file", path: "C:/Videos/a.mp4" }],
  ["file:///tmp/a%20b.mp4", { kind: "file", path: "/tmp/a b.mp4" }],
  ["file:///C:/Videos/a.mp4", { kind: "file", path: "C:/Videos/a.mp4" }],
  ["rtsp://admin:pw@192.168.1.20:554/stream1", {
    kind: "url",
    url: "rtsp://admin:pw@192.168.1.20:554/stream1",
  }],
  ["http://cam.local/video.mjpg", { kind: "url", url: "http://cam.local/video.mjpg" }],
  ["https://example.com/live.m3u8", { kind: "url", url: "https://example.com/live.m3u8" }],
  ["udp://0.0.0.0:5000", { kind: "url", url: "udp://0.0.0.0:5000" }],
  ["srt://host:9000?mode=caller", { kind: "url", url: "srt://host:9000?mode=caller" }],
  ["rtmp://host/app/key", { kind: "url", url: "rtmp://host/app/key" }],
];

for (const [spec, expected] of CASES) {
  Deno.test(`parseSourceSpec() reads ${JSON.stringify(spec)}`, () => {
    assert.deepEqual(parseSourceSpec(spec), expected);
  });
}

Deno.test("parseSourceSpec() reads camera:NAME", () => {
  assert.deepEqual(parseSourceSpec("camera:USB Camera"), { kind: "camera", device: "USB Camera" });
});

Deno.test("parseSourceSpec() rejects an empty spec with a TypeError", () => {
  assert.throws(() => parseSourceSpec(""), { name: "TypeError", message: /Source is empty/ });
  assert.throws(() => parseSourceSpec("   "), { name: "TypeError", message: /Source is empty/ });
});

Deno.test("parseSourceSpec() rejects camera: without a name", () => {
  assert.throws(() => parseSourceSpec("camera:"), {
    name: "TypeError",
    message: /Camera name is empty/,
  });
});

Deno.test("formatSourceSpec() gives the spec back with a URL password hidden", () => {
  for (const spec of ["camera", "camera:1", "test", "clip.mp4", "http://cam.local/a.mjpg"]) {
    assert.equal(formatSourceSpec(parseSourceSpec(spec)), spec);
  }
  assert.equal(
    formatSourceSpec(parseSourceSpec("rtsp://admin:secret@cam:554/live")),
    "rtsp://admin:***@cam:554/live",
  );
});
