import assert from "node:assert/strict";
import { CameraKeys } from "../../lib/seal/camera_keys.ts";

Deno.test("CameraKeys: a key a camera, by name or address, comments and blank lines skipped", () => {
  const keys = new CameraKeys(
    "# keys\n\nfront   correct horse battery staple\r\n192.168.1.21:8080\tanother secret\n",
    "keys.txt",
  );
  assert.equal(keys.keyOf(["front"]), "correct horse battery staple");
  assert.equal(keys.keyOf(["FRONT"]), "correct horse battery staple");
  assert.equal(keys.keyOf(["garage", "192.168.1.21:8080"]), "another secret");
  assert.equal(keys.keyOf(["back", "192.168.1.22:8080"]), undefined);
});

Deno.test("CameraKeys: a line that will not do, or a file that cannot be read, is one line naming it", async () => {
  assert.throws(
    () => new CameraKeys("front\n", "k.txt"),
    /^UsageError: k\.txt line 1: give a camera's name/,
  );
  assert.throws(() => new CameraKeys("a x\na y\n", "k.txt"), /k\.txt line 2: a has a key already/);
  await assert.rejects(
    CameraKeys.read("/nonexistent/keys.txt"),
    /cannot read --keys \/nonexistent\/keys\.txt: no such file/,
  );
});
