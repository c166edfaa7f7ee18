/**
 * Where the receiver's frames go besides the network: the recording, as they
 * came, and the preview's feed, with a "no signal" frame while none comes.
 *
 * @module
 */
import type { Logger } from "../cli/logger.ts";
import { resolveFfmpegPath } from "../ffmpeg/ffmpeg_path.ts";
import type { NoSignalRenderer } from "../preview/no_signal_renderer.ts";
import { SignalFeed } from "../preview/signal_feed.ts";
import { Recorder } from "../record/recorder.ts";
import { formatRecorderEvent } from "../record/recorder_event.ts";
import type { FrameReceiver } from "../receive/frame_receiver.ts";
import type { ReceiverArgs } from "./receiver_args.ts";

/**
 * The recording `--record` asks for, of the frames as they came (never the
 * preview's "no signal" frames), its events in the log; none without the flag.
 */
export function openRecorder(
  args: Pick<ReceiverArgs, "record" | "recordSegmentSeconds" | "ffmpeg">,
  receiver: FrameReceiver,
  logger: Logger,
): Recorder | undefined {
  if (args.record === undefined) return undefined;
  return new Recorder({
    frames: receiver.frames,
    path: args.record,
    segmentSeconds: args.recordSegmentSeconds,
    ffmpeg: resolveFfmpegPath(args.ffmpeg, Deno.env.get("FFMPEG")),
    onEvent: (event) => {
      const { type, ...fields } = event;
      logger.event(type, formatRecorderEvent(event), fields);
    },
  });
}

/**
 * The frames the preview shows: the receiver's, and while no video comes a
 * "no signal" frame, in the stream itself, that says why.
 */
export function openSignalFeed(
  receiver: FrameReceiver,
  options: { sender: string; renderer: NoSignalRenderer; logger: Logger },
): SignalFeed {
  const { sender, renderer, logger } = options;
  return new SignalFeed({
    frames: receiver.frames,
    link: () => ({ state: receiver.state, stateReason: receiver.stateReason, sender }),
    render: (render) => renderer.render(render),
    onError: (error) => {
      const message = `cannot draw the no-signal frame: ${
        error instanceof Error ? error.message : String(error)
      }`;
      logger.warn(message);
    },
  });
}
