import type { Frame } from "../hub/frame.ts";
import { RtpJpegError, RtpJpegPacketizer } from "../rtp/rtp_jpeg_packetizer.ts";
import { encodeSenderReport } from "../rtp/rtcp_sender_report.ts";
import { wallClock } from "../util/clock.ts";
import { sleep } from "../util/sleep.ts";
import type { DatagramSocket } from "../net/datagram_socket.ts";

/**
 * Datagrams sent together, then a pause, so that a large frame does not
 * overflow a receiver's socket (GStreamer's default holds about 170 of
 * them); a 1080p frame goes in two clumps, a 1 MB 4K frame in 14, about 7 ms
 * of waiting (on `Atomics.wait`, as udpcam's own pacing does).
 */
const CLUMP = 64;
const CLUMP_GAP_MS = 0.5;
/** How often an RTCP sender report goes to the RTP port + 1, in ms (RFC 3550's 5 s minimum). */
const REPORT_EVERY_MS = 5000;

/** What an {@linkcode RtpOutput} tells as it goes. */
export type RtpOutputEvent =
  /** Frames of the source cannot go as RTP/JPEG: said once, and none is sent. */
  { type: "rtp_refused"; reason: string };

/** Options for an {@linkcode RtpOutput}. */
export interface RtpOutputOptions {
  /** A socket to send from; owned by the output from now on. */
  socket: DatagramSocket;
  /** Where the RTP goes. */
  to: Deno.NetAddr;
  /** The largest RTP packet. */
  mtu: number;
  /** The source's name in its RTCP reports (SDES CNAME). */
  cname: string;
  onEvent?: (event: RtpOutputEvent) => void;
}

/** What an {@linkcode RtpOutput} has sent. */
export interface RtpOutputStats {
  frames: number;
  packets: number;
  bytes: number;
  /** Frames RFC 2435 could not carry, not sent. */
  refused: number;
}

/**
 * The sender's RTP/JPEG output (`--rtp`): each frame it is given, cut into
 * RFC 2435 packets and sent to one address, a unicast one or a multicast
 * group, paced in clumps as udpcam's own datagrams are. RTP has no
 * handshake: the address is the user's to choose, never one the network
 * asks for. An RTCP sender report (with the CNAME) goes to the port above
 * after the first frame and every 5 s. A frame RFC 2435 cannot carry (a `--copy` source's own Huffman
 * tables, 4:4:4) is not sent, and the first such frame is told once.
 */
export class RtpOutput {
  readonly stats: RtpOutputStats = { frames: 0, packets: 0, bytes: 0, refused: 0 };
  /** Always one: the address given. */
  readonly receivers = 1;
  #socket: DatagramSocket;
  #to: Deno.NetAddr;
  #packetizer: RtpJpegPacketizer;
  #onEvent: RtpOutputOptions["onEvent"];
  #rtcpTo: Deno.NetAddr;
  #cname: string;
  #payloadOctets = 0;
  #reports: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: RtpOutputOptions) {
    this.#socket = options.socket;
    this.#to = options.to;
    this.#rtcpTo = { ...options.to, port: options.to.port + 1 };
    this.#cname = options.cname;
    this.#packetizer = new RtpJpegPacketizer({ mtu: options.mtu });
    this.#onEvent = options.onEvent;
  }

  /** The SSRC of the stream. */
  get ssrc(): number {
    return this.#packetizer.ssrc;
  }

  /** Sends one frame; resolves once its last packet is out. */
  async send(frame: Frame): Promise<void> {
    if (this.#closed) return;
    let packets: Uint8Array[];
    try {
      // The 90 kHz clock of RTP video, from the capture time.
      packets = this.#packetizer.packetize(
        frame.data,
        Math.round(frame.captureTime * 90) % 2 ** 32,
      );
    } catch (error) {
      if (!(error instanceof RtpJpegError)) throw error;
      if (this.stats.refused++ === 0) {
        this.#onEvent?.({ type: "rtp_refused", reason: error.message });
      }
      return;
    }
    const to = packets.map(() => this.#to);
    for (let at = 0; at < packets.length && !this.#closed; at += CLUMP) {
      if (at > 0) await sleep(CLUMP_GAP_MS);
      const clump = packets.slice(at, at + CLUMP);
      await this.#socket.sendMany(clump, to.slice(at, at + CLUMP)).catch(() => clump.length);
      this.stats.packets += clump.length;
      for (const packet of clump) {
        this.stats.bytes += packet.length;
        this.#payloadOctets += packet.length - 12;
      }
    }
    if (this.stats.frames++ === 0) this.#startReports();
  }

  /** A sender report after the first frame, then every {@linkcode REPORT_EVERY_MS}. */
  #startReports(): void {
    const report = () => {
      if (this.#closed) return;
      const now = wallClock();
      const datagram = encodeSenderReport({
        ssrc: this.ssrc,
        wallMs: now,
        // The clock the packets are stamped with: 90 kHz of the capture time.
        rtpTimestamp: Math.round(now * 90) % 2 ** 32,
        packets: this.stats.packets,
        octets: this.#payloadOctets,
        cname: this.#cname,
      });
      this.#socket.send(datagram, this.#rtcpTo).catch(() => {});
    };
    report();
    this.#reports = setInterval(report, REPORT_EVERY_MS);
    Deno.unrefTimer(this.#reports);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#reports);
    this.#socket.close();
  }
}
