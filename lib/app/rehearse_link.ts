import { openDatagramSocket } from "../net/open_datagram_socket.ts";
import { UdpReceiver } from "../receive/udp_receiver.ts";
import { UdpSender } from "../send/udp_sender.ts";
import { withTimeout } from "../util/with_timeout.ts";

/** Options for {@linkcode rehearseLink}. */
export interface RehearseOptions {
  /** Frames sent. @default {8} */
  frames?: number;
  /** Bytes a frame: about a 1080p frame's 70 datagrams. @default {80_000} */
  frameBytes?: number;
  /** The longest the rehearsal may take, ms. @default {1000} */
  timeoutMs?: number;
}

/**
 * Streams a few frames from a throwaway sender to a throwaway receiver over
 * 127.0.0.1, both in this thread, and closes them; returns how many frames
 * came whole.
 *
 * Why: at a cold start the first datagrams of a real stream meet code that
 * runs for the first time, interpreted and compiled on its first call. The
 * receiver's join, a frame's 70 datagrams and more at once, then held its
 * event loop over 8 ms in 9 of 12 cold starts at 1080p (8.4 to 16.2 ms, mean
 * 11.5), and its socket buffer holds about 90 datagrams. After a rehearsal,
 * in 3 of 12 (8.6 to 9.8 ms). The receiver runs it while its drawing worker
 * loads, when its thread is otherwise idle and its stream's socket does not
 * exist yet, so no video can be lost; with a key, the probe for the sender's
 * salt is open meanwhile, and its answer at most waits in that socket for a
 * pacing wait (under 3 ms). It runs in the clear: a keyed join still meets
 * the sealing code cold.
 */
export async function rehearseLink(options: RehearseOptions = {}): Promise<number> {
  const { frames = 8, frameBytes = 80_000, timeoutMs = 1000 } = options;
  const deadline = performance.now() + timeoutMs;
  // The kind of socket the stream will have, so that the same code runs.
  const bind = () => openDatagramSocket({ hostname: "127.0.0.1", port: 0 });
  let sender: UdpSender | undefined;
  let receiver: UdpReceiver | undefined;
  let whole = 0;
  try {
    sender = new UdpSender({ socket: bind() });
    receiver = new UdpReceiver({ socket: bind(), sender: sender.addr });
    while (sender.receivers === 0) {
      if (performance.now() > deadline) return 0;
      await pause(5);
    }
    for (let i = 0; i < frames && performance.now() < deadline; i++) {
      const next = receiver.frames.next(receiver.frames.latest?.seq ?? 0);
      const data = jpegShaped(frameBytes, i);
      await sender.send({ data, captureTime: performance.timeOrigin + performance.now() });
      const frame = await withTimeout(next, Math.max(0, deadline - performance.now()));
      if (frame?.value.data.length === frameBytes) whole++;
      // A turn of the event loop between frames, as a stream has.
      await pause(1);
    }
  } finally {
    await receiver?.close();
    await sender?.close();
  }
  return whole;
}

function pause(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}

/** `length` bytes with a JPEG's start, a 1920 x 1080 frame header, and end. */
function jpegShaped(length: number, fill: number): Uint8Array {
  const bytes = new Uint8Array(length).fill(fill);
  // SOI, then SOF0: length 17, 8 bits, height 1080, width 1920, 3 components.
  bytes.set([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x04, 0x38, 0x07, 0x80, 3]);
  bytes.set([0xff, 0xd9], length - 2);
  return bytes;
}
