/**
 * The worker that makes frames smaller for {@linkcode JpegFitter}: decodes a
 * JPEG once, then encodes it at each rung of the ladder from the one asked
 * until it fits. imagescript takes tens of milliseconds a frame (about 56 to
 * decode and 19 to encode 720p here), so this never runs on the main thread.
 *
 * @module
 */
import { Image, type JPEGQuality } from "imagescript";
import { answerCalls, ownBuffer } from "../util/answer_calls.ts";
import { FIT_LADDER } from "./jpeg_fit.ts";

/** What {@linkcode JpegFitter} asks its worker. */
export interface JpegFitRequest {
  jpeg: Uint8Array<ArrayBuffer>;
  /** The rung of {@linkcode FIT_LADDER} to try first. */
  from: number;
  /** The largest JPEG that fits. */
  max: number;
}

/** The worker's answer: the smaller JPEG and the rung it fitted at, or none if no rung fits. */
export type JpegFitResponse = { jpeg: Uint8Array<ArrayBuffer>; rung: number } | undefined;

answerCalls<JpegFitRequest, JpegFitResponse>(async ({ jpeg, from, max }) => {
  const source = await Image.decode(jpeg);
  for (let rung = Math.max(0, from); rung < FIT_LADDER.length; rung++) {
    const { quality, scale } = FIT_LADDER[rung];
    const image = scale === 1 ? source : source.clone().resize(
      Math.max(8, Math.round(source.width * scale)),
      Math.max(8, Math.round(source.height * scale)),
    );
    const encoded = ownBuffer(await image.encodeJPEG(quality as JPEGQuality));
    if (encoded.length <= max) {
      return { value: { jpeg: encoded, rung }, transfer: [encoded.buffer] };
    }
  }
  return { value: undefined };
});
