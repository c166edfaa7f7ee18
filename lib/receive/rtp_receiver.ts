import type { ReceivedFrame } from "../hub/frame.ts";
import { LatestValue } from "../hub/latest_value.ts";
import { jpegDimensions } from "../image/jpeg_dimensions.ts";
import { LatencyHistogram, type LatencyHistogramSnapshot } from "../metrics/latency_histogram.ts";
import { RateMeter } from "../metrics/rate_meter.ts";
import { type DatagramSocket, denoDatagramSocket } from "../net/datagram_socket.ts";
import { receiveDatagrams } from "../net/receive_datagrams.ts";
import { RtpJpegDepacketizer } from "../rtp/rtp_jpeg_depacketizer.ts";
import { decodeRtpPacket } from "../rtp/rtp_packet.ts";
import { wallClock } from "../util/clock.ts";
import type { FrameReceiver } from "./frame_receiver.ts";
import type { LinkState } from "./link_state.ts";
import { bareLinkState, bareReceiverStats } from "./bare_receiver_stats.ts";
import type { UdpReceiverStats } from "./receiver_stats.ts";

/** RTP/JPEG's static payload type. */
const JPEG_PAYLOAD_TYPE = 26;

/** Options for an {@linkcode RtpReceiver}. */
export interface RtpReceiverOptions {
  /** Bound where the RTP comes; owned by the receiver from now on. */
  socket: Deno.DatagramConn | DatagramSocket;
  /** What the stream is, for the stats and the page: `rtp://HOST:PORT`. */
  source: string;
  /** The payload type taken: 26, or a dynamic one from an SDP. @default {26} */
  payloadType?: number;
  /** The size of frames over 2040 pixels (SDP's `x-dimensions`). */
  size?: { width: number; height: number };
  /** Called as each group of datagrams that arrived together is handed over. */
  onWork?: () => void;
}

/**
 * Receives RTP/JPEG (RFC 2435) from GStreamer, ffmpeg, a camera or a udpcam
 * sender's `--rtp`, and hands each whole frame on as {@linkcode UdpReceiver}
 * does, for the same preview, recording and stats. RTP has no handshake, no
 * sender clock and no recovery: the stream is live while frames come, a
 * frame that lost a packet is dropped (counted), and latency is not known.
 * Anyone who can reach the port can send to it, as with any RTP receiver.
 */
export class RtpReceiver implements FrameReceiver {
  readonly frames: LatestValue<ReceivedFrame> = new LatestValue();
  #socket: DatagramSocket;
  #source: string;
  #payloadType: number;
  #depacketizer: RtpJpegDepacketizer;
  #rate = new RateMeter(2000);
  #histogram = new LatencyHistogram();
  #packets = 0;
  #bytes = 0;
  #notRtp = 0;
  #otherPayload = 0;
  #malformedFrames = 0;
  #frames = 0;
  #lastFrameAt: number | undefined;
  #size: { width: number; height: number } | undefined;
  #ssrc: number | undefined;
  #receiveErrors = 0;
  #closed = false;
  #receiving: Promise<void>;

  constructor(options: RtpReceiverOptions) {
    this.#socket = denoDatagramSocket(options.socket);
    this.#source = options.source;
    this.#payloadType = options.payloadType ?? JPEG_PAYLOAD_TYPE;
    this.#depacketizer = new RtpJpegDepacketizer({ size: options.size });
    this.#receiving = receiveDatagrams(this.#socket, (datagram) => this.#take(datagram), {
      bufferSize: 65_536,
      closed: () => this.#closed,
      onWork: options.onWork,
      onError: () => this.#receiveErrors++,
    });
  }

  get addr(): Deno.NetAddr {
    return this.#socket.addr;
  }

  get state(): LinkState {
    return bareLinkState(this.#lastFrameAt, wallClock());
  }

  get stateReason(): string {
    const now = wallClock();
    if (this.#lastFrameAt === undefined) {
      return this.#packets === 0 ? "no RTP packet yet" : "no whole JPEG frame yet";
    }
    const state = bareLinkState(this.#lastFrameAt, now);
    return state === "live" ? "frames coming" : "no frame for 2 s";
  }

  get latencyHistogram(): LatencyHistogramSnapshot {
    // RTP carries no capture time on a clock this receiver knows: none measured.
    return this.#histogram.snapshot();
  }

  stats(now: number = wallClock()): UdpReceiverStats {
    const counters = this.#depacketizer.counters;
    return bareReceiverStats({
      now,
      stateReason: this.stateReason,
      source: this.#source,
      session: this.#ssrc === undefined ? "-" : this.#ssrc.toString(16).padStart(8, "0"),
      rate: this.#rate.rate(now),
      size: this.#size,
      framesReceived: this.#frames,
      framesLost: counters.framesDropped,
      packetsReceived: this.#packets,
      bytesReceived: this.#bytes,
      packetsLate: counters.packetsLate,
      packetsInconsistent: counters.packetsRejected,
      packetsOtherStream: this.#otherPayload,
      malformed: this.#notRtp + this.#malformedFrames,
      wrongSender: counters.packetsOtherSource,
      lastFrameAt: this.#lastFrameAt,
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    await this.#receiving;
    this.frames.close();
  }

  #take(datagram: Uint8Array): void {
    this.#packets++;
    this.#bytes += datagram.length;
    const packet = decodeRtpPacket(datagram);
    if (packet === undefined) {
      this.#notRtp++;
      return;
    }
    if (packet.payloadType !== this.#payloadType) {
      this.#otherPayload++;
      return;
    }
    const frame = this.#depacketizer.push(packet, performance.now());
    if (frame === undefined) return;
    const size = jpegDimensions(frame.data);
    if (size === undefined) {
      this.#malformedFrames++;
      return;
    }
    const now = wallClock();
    this.#frames++;
    this.#lastFrameAt = now;
    this.#size = size;
    this.#ssrc = frame.ssrc;
    this.#rate.add(frame.data.length, now);
    this.frames.publish({
      // Its headers are rebuilt with the standard tables.
      data: frame.data,
      // No clock of the sender's: the arrival stands for the capture.
      captureTime: now,
      localCaptureTime: now,
      receivedAt: now,
      width: size.width,
      height: size.height,
      frame: this.#frames,
    });
  }
}
