import assert from "node:assert/strict";
import { parseRtspUrl, redactRtspUrl } from "../../lib/rtsp/mod.ts";

Deno.test("an RTSP URL gives where to connect, the URL requests name, and its credentials apart", () => {
  assert.deepEqual(parseRtspUrl("rtsp://cam:s%40cret@media.lan:8554/porch/"), {
    url: "rtsp://media.lan:8554/porch",
    hostname: "media.lan",
    port: 8554,
    username: "cam",
    password: "s@cret",
  });
  assert.deepEqual(parseRtspUrl("rtsp://10.0.0.5/live"), {
    url: "rtsp://10.0.0.5:554/live",
    hostname: "10.0.0.5",
    port: 554,
    username: undefined,
    password: undefined,
  });
  assert.equal(parseRtspUrl("rtsp://[::1]:8554/a").hostname, "::1");
  assert.equal(parseRtspUrl("rtsp://[::1]:8554/a").url, "rtsp://[::1]:8554/a");
});

Deno.test("the password never reaches a log", () => {
  const url = parseRtspUrl("rtsp://cam:hunter2@media.lan:8554/porch");
  assert.equal(redactRtspUrl(url), "rtsp://cam:***@media.lan:8554/porch");
  assert.ok(!redactRtspUrl(url).includes("hunter2"));
});

Deno.test("what is not an RTSP URL with a path is refused with what to give", () => {
  assert.throws(() => parseRtspUrl("media.lan:8554/cam"), /rtsp:\/\/HOST:8554\/cam/);
  assert.throws(() => parseRtspUrl("http://media.lan/cam"), /rtsp:\/\/HOST/);
  assert.throws(() => parseRtspUrl("rtsps://media.lan/cam"), /rtsps:\/\/ .* not spoken/);
  assert.throws(() => parseRtspUrl("rtsp://media.lan:8554/"), /the stream's path/);
});
