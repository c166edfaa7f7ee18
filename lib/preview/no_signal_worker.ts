/**
 * The worker that draws the receiver's no-signal frames for
 * {@linkcode NoSignalRenderer}, and sends each JPEG back in a buffer it gives up.
 *
 * @module
 */
import { answerCalls } from "../util/answer_calls.ts";
import { renderNoSignalFrame, type RenderNoSignalFrameOptions } from "./no_signal_frame.ts";

answerCalls<RenderNoSignalFrameOptions, Uint8Array<ArrayBuffer>>(async (options) => {
  const data = await renderNoSignalFrame(options);
  return { value: data, transfer: [data.buffer] };
});
