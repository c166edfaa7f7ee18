import assert from "node:assert/strict";
import type { ReceivedFrame } from "../../lib/hub/frame.ts";
import { matroskaCluster, matroskaHeader } from "../../lib/record/matroska.ts";
import { SEGMENT_SPAN_MS } from "../../lib/record/record_args.ts";
import { RecordStream } from "../../lib/record/record_stream.ts";

function frame(captureTime: number, data: number[]): ReceivedFrame {
  return {
    data: new Uint8Array(data),
    captureTime,
    localCaptureTime: captureTime,
    receivedAt: captureTime + 5,
    width: 320,
    height: 240,
    frame: 1,
  };
}

Deno.test("RecordStream puts the header before the first frame only, and stamps frames on their timeline", () => {
  const stream = new RecordStream();
  const header = matroskaHeader({ width: 320, height: 240 });
  assert.deepEqual(
    stream.bytes(frame(1000, [1])),
    new Uint8Array([...header, ...matroskaCluster(0, new Uint8Array([1]))]),
  );
  assert.deepEqual(stream.bytes(frame(1100, [2])), matroskaCluster(100, new Uint8Array([2])));
});

Deno.test("RecordStream.cut() starts the next frame a span further on, at 0 on a new timeline", () => {
  const stream = new RecordStream();
  stream.bytes(frame(1000, [1]));
  stream.bytes(frame(1100, [2]));
  stream.cut();
  assert.deepEqual(
    stream.bytes(frame(1200, [3])),
    matroskaCluster(SEGMENT_SPAN_MS, new Uint8Array([3])),
  );
  assert.deepEqual(
    stream.bytes(frame(1300, [4])),
    matroskaCluster(SEGMENT_SPAN_MS + 100, new Uint8Array([4])),
  );
  stream.cut();
  assert.deepEqual(
    stream.bytes(frame(1400, [5])),
    matroskaCluster(2 * SEGMENT_SPAN_MS, new Uint8Array([5])),
  );
});
