import assert from "node:assert/strict";
import { CAMERA_NAME, cameraName, uniqueCameraName } from "../../lib/preview/camera_name.ts";

Deno.test("cameraName() makes a name for paths and labels of any text", () => {
  const cases: Array<[string, string]> = [
    ["kitchen cam", "kitchen-cam"],
    ["192.168.1.20:8080", "192.168.1.20-8080"],
    ["[::1]:9000", "1-9000"],
    ["Café ☕ 2", "Cafe-2"],
    ["../../etc/passwd", "etc-passwd"],
    ["", "camera"],
    ["////", "camera"],
    ["x".repeat(80), "x".repeat(40)],
    ['a"b\\nc', "a-b-nc"],
    ["_hidden", "hidden"],
    ["nul", "nul-cam"],
    ["COM1", "COM1-cam"],
  ];
  for (const [text, expected] of cases) {
    assert.equal(cameraName(text), expected, text);
    assert.match(cameraName(text), CAMERA_NAME);
  }
});

Deno.test("uniqueCameraName() adds -2, -3 to a taken name, within the length", () => {
  const taken = new Set(["front", "front-2", "y".repeat(40)]);
  assert.equal(uniqueCameraName("back", (n) => taken.has(n)), "back");
  assert.equal(uniqueCameraName("front", (n) => taken.has(n)), "front-3");
  assert.equal(uniqueCameraName("y".repeat(40), (n) => taken.has(n)), "y".repeat(38) + "-2");
});
