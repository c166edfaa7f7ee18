import type { ReceivedFrame } from "../hub/frame.ts";
import { concatBytes } from "../util/concat_bytes.ts";
import { matroskaCluster, matroskaHeader } from "./matroska.ts";
import { SEGMENT_SPAN_MS } from "./record_args.ts";
import { RecordTimeline } from "./record_timeline.ts";

/**
 * The live Matroska stream one run of the recording's ffmpeg reads: the
 * header before the first frame, then a cluster a frame, stamped on the
 * timeline of its segment. A cut starts the next segment one span further on
 * (`SEGMENT_SPAN_MS`), at 0 on a new timeline: ffmpeg's segment muxer opens
 * the next file where the timestamps jump.
 *
 * @example
 * ```ts
 * const stream = new RecordStream();
 * await run.write(stream.bytes(frame)); // header and cluster
 * stream.cut();
 * await run.write(stream.bytes(next)); // a cluster in the next segment
 * ```
 */
export class RecordStream {
  #segmentStart = 0;
  #timeline = new RecordTimeline();
  #headerWritten = false;

  /** Starts the next segment with the next frame. */
  cut(): void {
    this.#segmentStart += SEGMENT_SPAN_MS;
    this.#timeline = new RecordTimeline();
  }

  /** The bytes that carry `frame`, with the stream's header before them if it is the first. */
  bytes(frame: ReceivedFrame): Uint8Array {
    const cluster = matroskaCluster(this.#segmentStart + this.#timeline.stamp(frame), frame.data);
    if (this.#headerWritten) return cluster;
    this.#headerWritten = true;
    return concatBytes([matroskaHeader({ width: frame.width, height: frame.height }), cluster]);
  }
}
