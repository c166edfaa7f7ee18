import type { Frame } from "../hub/frame.ts";
import { encodeSenderReport } from "../rtp/rtcp_sender_report.ts";
import { RtpJpegError, RtpJpegPacketizer } from "../rtp/rtp_jpeg_packetizer.ts";
import { rtpJpegSdp } from "../rtp/rtp_jpeg_sdp.ts";
import { type AuthChallenge, authorization, parseAuthenticate } from "../rtsp/rtsp_auth.ts";
import {
  encodeRtspRequest,
  interleave,
  RtspReader,
  type RtspResponse,
} from "../rtsp/rtsp_message.ts";
import { redactRtspUrl, type RtspUrl } from "../rtsp/rtsp_url.ts";
import { wallClock } from "../util/clock.ts";
import { withTimeout } from "../util/with_timeout.ts";

/** How long the server has to answer a request or take a connection, in ms. */
const ANSWER_MS = 5000;
/** The first wait before connecting again, doubled after each failure up to the most. */
const FIRST_RETRY_MS = 500;
const MOST_RETRY_MS = 10_000;
/** How long one write may take before the server counts as gone (it stopped reading). */
const WRITE_MS = 5000;
/** A session that lasted this long resets the wait before connecting again. */
const STABLE_SESSION_MS = 30_000;
/** How often an RTCP sender report goes on the RTCP channel, in ms (RFC 3550's 5 s minimum). */
const REPORT_EVERY_MS = 5000;
/** The interleaved channels of the one stream: RTP, then its RTCP. */
const RTP_CHANNEL = 0;
const RTCP_CHANNEL = 1;

/** What an {@linkcode RtspOutput} tells as it goes. */
export type RtspOutputEvent =
  /** The server took the stream: frames are published from now on. */
  | { type: "rtsp_publishing"; url: string }
  /** Connecting or publishing failed; it tries again in `retryMs`. */
  | { type: "rtsp_failed"; url: string; reason: string; retryMs: number }
  /** Frames of the source cannot go as RTP/JPEG: said once, and none is sent. */
  | { type: "rtp_refused"; reason: string };

/** Options for an {@linkcode RtspOutput}. */
export interface RtspOutputOptions {
  url: RtspUrl;
  /** The largest RTP packet. */
  mtu: number;
  /** The source's name in its RTCP reports (SDES CNAME). */
  cname: string;
  /** Names the client to the server. */
  userAgent: string;
  onEvent?: (event: RtspOutputEvent) => void;
  /** Opens the TCP connection. @default Deno.connect */
  connect?: (hostname: string, port: number) => Promise<Deno.Conn>;
}

/** What an {@linkcode RtspOutput} has done. */
export interface RtspOutputStats {
  frames: number;
  packets: number;
  bytes: number;
  /** Frames RFC 2435 could not carry, not sent. */
  refused: number;
  /** Times the server took the stream. */
  sessions: number;
  /** Times connecting or publishing failed. */
  failures: number;
}

/** One connection to the server, publishing once the handshake is done. */
interface Session {
  conn: Deno.Conn;
  packetizer: RtpJpegPacketizer;
  /** Writes go one after another, whole. */
  writing: Promise<void>;
  payloadOctets: number;
  packets: number;
  failed: boolean;
}

/**
 * The sender's RTSP output (`--rtsp URL`): publishes the stream to an RTSP
 * server (MediaMTX, go2rtc, ffmpeg's listener...) with ANNOUNCE, SETUP and
 * RECORD, its RTP/JPEG interleaved on the same TCP connection (no UDP ports
 * to open; through NAT and firewalls as any TCP connection). Credentials in
 * the URL answer Digest or Basic. When the server goes away or refuses, it
 * connects again after 0.5 s, then 1, 2, 4, 8 and 10 s, for as long as the
 * sender runs. A frame that comes while the last is still being written (a
 * slow server) is skipped: the server always gets the newest.
 */
export class RtspOutput {
  readonly stats: RtspOutputStats = {
    frames: 0,
    packets: 0,
    bytes: 0,
    refused: 0,
    sessions: 0,
    failures: 0,
  };
  #options: RtspOutputOptions;
  #connect: (hostname: string, port: number) => Promise<Deno.Conn>;
  #session: Session | undefined;
  #conn: Deno.Conn | undefined;
  #closed = false;
  #wake: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #reports: ReturnType<typeof setInterval> | undefined;

  constructor(options: RtspOutputOptions) {
    this.#options = options;
    this.#connect = options.connect ??
      ((hostname, port) => Deno.connect({ hostname, port, transport: "tcp" }));
  }

  /** Whether the server takes frames now. */
  get publishing(): boolean {
    return this.#session !== undefined && !this.#session.failed;
  }

  /** How many it sends to now: the server, when publishing. */
  get receivers(): number {
    return this.publishing ? 1 : 0;
  }

  /**
   * Starts connecting, and keeps connecting until {@linkcode close}; the
   * size of the frames goes in the SDP when over RTP/JPEG's 2040 pixels.
   */
  start(size: { width: number; height: number } | undefined): void {
    this.#running ??= this.#run(size);
  }

  /** Sends one frame if publishing; resolves once it is written. */
  async send(frame: Frame): Promise<void> {
    const session = this.#session;
    if (session === undefined || session.failed || this.#closed) return;
    let packets: Uint8Array[];
    try {
      packets = session.packetizer.packetize(
        frame.data,
        Math.round(frame.captureTime * 90) % 2 ** 32,
      );
    } catch (error) {
      if (!(error instanceof RtpJpegError)) throw error;
      if (this.stats.refused++ === 0) {
        this.#options.onEvent?.({ type: "rtp_refused", reason: error.message });
      }
      return;
    }
    let length = 0;
    for (const packet of packets) length += 4 + packet.length;
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const packet of packets) {
      interleave(RTP_CHANNEL, packet, bytes, at);
      at += 4 + packet.length;
      session.payloadOctets += packet.length - 12;
    }
    session.packets += packets.length;
    await this.#write(session, bytes);
    this.stats.frames++;
    this.stats.packets += packets.length;
    this.stats.bytes += length;
  }

  /** Stops publishing: a TEARDOWN is not waited for; the connection closes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#reports);
    this.#wake?.();
    try {
      this.#conn?.close();
    } catch {
      // Already closed.
    }
    await this.#running;
  }

  async #run(size: { width: number; height: number } | undefined): Promise<void> {
    const url = redactRtspUrl(this.#options.url);
    let retryMs = FIRST_RETRY_MS;
    while (!this.#closed) {
      let reason: string;
      let publishedAt: number | undefined;
      try {
        const ended = await this.#publish(size, () => {
          publishedAt = performance.now();
          this.stats.sessions++;
          this.#options.onEvent?.({ type: "rtsp_publishing", url });
        });
        reason = ended;
      } catch (error) {
        reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
      } finally {
        this.#session = undefined;
        clearInterval(this.#reports);
        try {
          this.#conn?.close();
        } catch {
          // Already closed.
        }
        this.#conn = undefined;
      }
      if (this.#closed) return;
      // Only a session that held resets the wait: a server that takes RECORD
      // and drops the stream at once is not asked again twice a second.
      if (publishedAt !== undefined && performance.now() - publishedAt >= STABLE_SESSION_MS) {
        retryMs = FIRST_RETRY_MS;
      }
      this.stats.failures++;
      this.#options.onEvent?.({ type: "rtsp_failed", url, reason, retryMs });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      retryMs = Math.min(retryMs * 2, MOST_RETRY_MS);
    }
  }

  /**
   * One connection: the handshake, then publishing until the server closes
   * it or a write fails; resolves with why it ended.
   */
  async #publish(
    size: { width: number; height: number } | undefined,
    onPublishing: () => void,
  ): Promise<string> {
    const { url, userAgent } = this.#options;
    const connecting = this.#connect(url.hostname, url.port);
    const conn = await withTimeout(connecting, ANSWER_MS);
    if (conn === undefined) {
      // One that comes after all is closed, not left open.
      connecting.then((late) => late.close(), () => {});
      throw new Error(`no connection to ${url.hostname}:${url.port} in 5 s`);
    }
    this.#conn = conn;
    if (this.#closed) return "closed";
    const answers = new Answers(conn);
    let cseq = 0;
    let challenges: AuthChallenge[] | undefined;
    let nonceCount = 0;
    const request = async (
      method: string,
      target: string,
      headers: Record<string, string> = {},
      body?: string,
    ): Promise<RtspResponse> => {
      for (let attempt = 0;; attempt++) {
        const all: Record<string, string> = { "User-Agent": userAgent, ...headers };
        if (body !== undefined) all["Content-Type"] = "application/sdp";
        if (challenges !== undefined) {
          all.Authorization = authorization(challenges, {
            username: url.username ?? "",
            password: url.password ?? "",
            method,
            uri: target,
            nc: ++nonceCount,
          });
        }
        const response = await answers.ask(
          encodeRtspRequest({ method, url: target, cseq: ++cseq, headers: all, body }),
          cseq,
        );
        if (response.status === 401 && attempt === 0) {
          if (url.username === undefined) {
            throw new Error("the server asks for a user name and password: put them in the URL");
          }
          challenges = parseAuthenticate(response.headers["www-authenticate"] ?? "");
          nonceCount = 0;
          continue;
        }
        if (response.status === 401) {
          throw new Error("the server refused the user name or password");
        }
        if (response.status < 200 || response.status > 299) {
          throw new Error(
            `the server answered ${method} with ${response.status} ${response.reason}`,
          );
        }
        return response;
      }
    };

    await request("OPTIONS", url.url);
    const sdp = rtpJpegSdp({
      address: "0.0.0.0",
      port: 0,
      ...size,
      control: "trackID=0",
    });
    await request("ANNOUNCE", url.url, {}, sdp);
    const setup = await request("SETUP", controlUrl(url.url, "trackID=0"), {
      Transport: `RTP/AVP/TCP;unicast;interleaved=${RTP_CHANNEL}-${RTCP_CHANNEL};mode=record`,
    });
    const session = setup.headers.session?.split(";")[0].trim();
    if (session === undefined || session === "") throw new Error("the server gave no Session");
    await request("RECORD", url.url, { Session: session, Range: "npt=0.000-" });

    const published: Session = {
      conn,
      packetizer: new RtpJpegPacketizer({ mtu: this.#options.mtu }),
      writing: Promise.resolve(),
      payloadOctets: 0,
      packets: 0,
      failed: false,
    };
    this.#session = published;
    this.#startReports(published);
    onPublishing();
    const ended = await answers.ended;
    return published.failed ? "the connection failed" : ended;
  }

  /** A sender report on the RTCP channel now and every {@linkcode REPORT_EVERY_MS}. */
  #startReports(session: Session): void {
    const report = () => {
      if (session.failed || this.#closed || session.packets === 0) return;
      const now = wallClock();
      const datagram = encodeSenderReport({
        ssrc: session.packetizer.ssrc,
        wallMs: now,
        rtpTimestamp: Math.round(now * 90) % 2 ** 32,
        packets: session.packets,
        octets: session.payloadOctets,
        cname: this.#options.cname,
      });
      this.#write(session, interleave(RTCP_CHANNEL, datagram)).catch(() => {});
    };
    clearInterval(this.#reports);
    this.#reports = setInterval(report, REPORT_EVERY_MS);
    Deno.unrefTimer(this.#reports);
  }

  /** Writes `bytes` whole, after any write before it; a failure ends the session. */
  #write(session: Session, bytes: Uint8Array): Promise<void> {
    session.writing = session.writing.then(async () => {
      if (session.failed) return;
      try {
        // A server that stops reading fills the connection: the write would never end.
        const written = await withTimeout(writeAll(session.conn, bytes), WRITE_MS);
        if (written === undefined) throw new Error("the server stopped reading");
      } catch {
        session.failed = true;
        try {
          session.conn.close();
        } catch {
          // Already closed.
        }
      }
    });
    return session.writing;
  }
}

/**
 * What the server sends on a connection, read as it comes: each response
 * handed to the request waiting for it; anything else (its RTCP receiver
 * reports) read and let go, so that the server never blocks on a full
 * connection. `ended` resolves with why the connection ended.
 */
class Answers {
  readonly ended: Promise<string>;
  #conn: Deno.Conn;
  #waiting:
    | { cseq: number; resolve: (r: RtspResponse) => void; reject: (e: Error) => void }
    | undefined;
  #end: string | undefined;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.ended = this.#read();
  }

  /** Writes a request and resolves with its response, or throws after 5 s or on a closed connection. */
  async ask(request: Uint8Array, cseq: number): Promise<RtspResponse> {
    if (this.#end !== undefined) throw new Error(this.#end);
    const answered = new Promise<RtspResponse>((resolve, reject) => {
      this.#waiting = { cseq, resolve, reject };
    });
    answered.catch(() => {});
    await writeAll(this.#conn, request);
    const response = await withTimeout(answered, ANSWER_MS);
    if (response === undefined) throw new Error("the server did not answer in 5 s");
    return response;
  }

  async #read(): Promise<string> {
    const reader = new RtspReader();
    const buffer = new Uint8Array(16 * 1024);
    let end: string;
    try {
      for (;;) {
        const n = await this.#conn.read(buffer);
        if (n === null) {
          end = "the server closed the connection";
          break;
        }
        for (const incoming of reader.push(buffer.subarray(0, n))) {
          if (incoming.type !== "response") continue;
          const waiting = this.#waiting;
          const cseq = Number(incoming.response.headers.cseq);
          if (waiting !== undefined && (cseq === waiting.cseq || Number.isNaN(cseq))) {
            this.#waiting = undefined;
            waiting.resolve(incoming.response);
          }
        }
      }
    } catch (error) {
      end = error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted
        ? "closed"
        : `the connection failed (${(error as Error).message.split("\n")[0]})`;
    }
    this.#end = end;
    this.#waiting?.reject(new Error(end));
    this.#waiting = undefined;
    return end;
  }
}

/** Writes all of `bytes`; resolves `true` once written. */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<true> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
  return true;
}

/** The URL of a stream's control (`trackID=0`) under `base`, before any query. */
function controlUrl(base: string, control: string): string {
  const query = base.indexOf("?");
  return query === -1
    ? `${base}/${control}`
    : `${base.slice(0, query)}/${control}${base.slice(query)}`;
}
