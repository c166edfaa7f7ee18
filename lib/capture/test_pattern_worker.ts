/**
 * The worker that draws the test pattern for {@linkcode TestPatternSource}:
 * it keeps the painter of the size in use, with its background and glyphs,
 * and sends each frame's JPEG back in a buffer it gives up.
 *
 * @module
 */
import { answerCalls, ownBuffer } from "../util/answer_calls.ts";
import { TestPatternPainter, type TestPatternPainterOptions } from "./test_pattern_painter.ts";

/** What {@linkcode TestPatternSource} asks its worker. */
export type TestPatternRequest =
  /** Draw later frames with these options, once their background is ready. */
  | { type: "prepare"; painter: TestPatternPainterOptions }
  /** Draw and encode one frame with the options prepared last. */
  | { type: "render"; frameIndex: number; time: number };

/** The worker's answer: a frame's JPEG, or nothing once prepared. */
export type TestPatternResponse = Uint8Array<ArrayBuffer> | undefined;

let painter: TestPatternPainter | undefined;

answerCalls<TestPatternRequest, TestPatternResponse>(async (request) => {
  if (request.type === "prepare") {
    const next = new TestPatternPainter(request.painter);
    await next.prepare();
    painter = next;
    return { value: undefined };
  }
  if (painter === undefined) throw new Error("The test pattern was not prepared");
  const data = ownBuffer(await painter.render(request.frameIndex, request.time));
  return { value: data, transfer: [data.buffer] };
});
