import type { ReceivedFrame } from "../hub/frame.ts";
import { LatestValue } from "../hub/latest_value.ts";
import { jpegDimensions } from "../image/jpeg_dimensions.ts";
import { withHuffmanTables } from "../image/with_huffman_tables.ts";
import { LatencyHistogram, type LatencyHistogramSnapshot } from "../metrics/latency_histogram.ts";
import { RateMeter } from "../metrics/rate_meter.ts";
import type { DatagramSocket } from "../net/datagram_socket.ts";
import { receiveDatagrams } from "../net/receive_datagrams.ts";
import { decodeTutorialFrame, TUTORIAL_GREETING } from "../tutorial/tutorial_datagram.ts";
import { wallClock } from "../util/clock.ts";
import { bareLinkState, bareReceiverStats } from "./bare_receiver_stats.ts";
import type { FrameReceiver } from "./frame_receiver.ts";
import type { LinkState } from "./link_state.ts";
import type { UdpReceiverStats } from "./receiver_stats.ts";

/** How often the greeting is sent again while no frame comes: the server may start later. */
const GREET_WAITING_MS = 2000;
/**
 * How often it is sent again while frames come: a server that drops silent
 * clients (udpcam's, after 10 minutes) keeps this one.
 */
const GREET_LIVE_MS = 60_000;

/** Options for a {@linkcode TutorialReceiver}. */
export interface TutorialReceiverOptions {
  /** An unbound (port 0) socket to greet from; owned by the receiver from now on. */
  socket: DatagramSocket;
  /** The tutorial server's address, resolved. */
  server: Deno.NetAddr;
  /** What the stream is, for the stats and the page: `tutorial://HOST:PORT`. */
  source: string;
  /** Called as each group of datagrams that arrived together is handed over. */
  onWork?: () => void;
}

/**
 * Joins a server of the classic tutorial (`tutorial://HOST:PORT`): greets it
 * as the tutorial's client does, and takes each datagram of base64 JPEG from
 * it as a frame, for the same preview, recording and stats as udpcam's own
 * protocol. The protocol has no clock, no loss recovery and no security:
 * latency is not known, and a datagram from anywhere but the server's
 * address is not taken (anyone on the path could still forge one).
 */
export class TutorialReceiver implements FrameReceiver {
  readonly frames: LatestValue<ReceivedFrame> = new LatestValue();
  #socket: DatagramSocket;
  #server: Deno.NetAddr;
  #source: string;
  #rate = new RateMeter(2000);
  #histogram = new LatencyHistogram();
  #datagrams = 0;
  #bytes = 0;
  #malformed = 0;
  #wrongSender = 0;
  #frames = 0;
  #lastFrameAt: number | undefined;
  #greetedAt = -Infinity;
  #size: { width: number; height: number } | undefined;
  #greeter: ReturnType<typeof setInterval>;
  #closed = false;
  #receiving: Promise<void>;

  constructor(options: TutorialReceiverOptions) {
    this.#socket = options.socket;
    this.#server = options.server;
    this.#source = options.source;
    this.#receiving = receiveDatagrams(
      this.#socket,
      (datagram, from) => this.#take(datagram, from),
      {
        // The tutorial's own client reads with a buffer of this size.
        bufferSize: 65_536,
        closed: () => this.#closed,
        onWork: options.onWork,
      },
    );
    this.#greet();
    this.#greeter = setInterval(() => this.#greet(), GREET_WAITING_MS / 4);
  }

  get addr(): Deno.NetAddr {
    return this.#socket.addr;
  }

  get state(): LinkState {
    return bareLinkState(this.#lastFrameAt, wallClock());
  }

  get stateReason(): string {
    if (this.#lastFrameAt === undefined) {
      return this.#datagrams === 0 ? "greeted the server, no frame yet" : "no JPEG frame yet";
    }
    return bareLinkState(this.#lastFrameAt, wallClock()) === "live"
      ? "frames coming"
      : "no frame for 2 s";
  }

  get latencyHistogram(): LatencyHistogramSnapshot {
    // The tutorial sends no capture time: none measured.
    return this.#histogram.snapshot();
  }

  stats(now: number = wallClock()): UdpReceiverStats {
    return bareReceiverStats({
      now,
      stateReason: this.stateReason,
      source: this.#source,
      session: "-",
      rate: this.#rate.rate(now),
      size: this.#size,
      framesReceived: this.#frames,
      packetsReceived: this.#datagrams,
      bytesReceived: this.#bytes,
      malformed: this.#malformed,
      wrongSender: this.#wrongSender,
      lastFrameAt: this.#lastFrameAt,
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#greeter);
    this.#socket.close();
    await this.#receiving;
    this.frames.close();
  }

  /** Greets the server when it is due: often while no frame comes, now and then while they do. */
  #greet(): void {
    if (this.#closed) return;
    const now = wallClock();
    const every = bareLinkState(this.#lastFrameAt, now) === "live"
      ? GREET_LIVE_MS
      : GREET_WAITING_MS;
    if (now - this.#greetedAt < every) return;
    this.#greetedAt = now;
    this.#socket.send(TUTORIAL_GREETING, this.#server).catch(() => {});
  }

  #take(datagram: Uint8Array, from: Deno.NetAddr): void {
    this.#datagrams++;
    this.#bytes += datagram.length;
    if (from.port !== this.#server.port || from.hostname !== this.#server.hostname) {
      this.#wrongSender++;
      return;
    }
    const jpeg = decodeTutorialFrame(datagram);
    const size = jpeg === undefined ? undefined : jpegDimensions(jpeg);
    if (jpeg === undefined || size === undefined) {
      this.#malformed++;
      return;
    }
    const now = wallClock();
    this.#frames++;
    this.#lastFrameAt = now;
    this.#size = size;
    this.#rate.add(jpeg.length, now);
    this.frames.publish({
      data: withHuffmanTables(jpeg),
      // No clock of the server's: the arrival stands for the capture.
      captureTime: now,
      localCaptureTime: now,
      receivedAt: now,
      width: size.width,
      height: size.height,
      frame: this.#frames,
    });
  }
}
