import { concatBytes } from "../util/concat_bytes.ts";
import { printableText } from "../util/printable_text.ts";

/** The most a response's head and body may take: a server sending more is not an RTSP server. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** A request to write. */
export interface RtspRequest {
  method: string;
  url: string;
  cseq: number;
  /** Header names as written. */
  headers?: Record<string, string>;
  body?: string;
}

/** A response read: its status, headers with lower-case names, and body. */
export interface RtspResponse {
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
}

/** The request's bytes, with `Content-Length` for a body. */
export function encodeRtspRequest(request: RtspRequest): Uint8Array<ArrayBuffer> {
  const body = new TextEncoder().encode(request.body ?? "");
  const lines = [`${request.method} ${request.url} RTSP/1.0`, `CSeq: ${request.cseq}`];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (/[\r\n]/.test(name + value)) throw new RangeError(`A header may not hold a line break`);
    lines.push(`${name}: ${value}`);
  }
  if (body.length > 0) lines.push(`Content-Length: ${body.length}`);
  return concatBytes([new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"), body]);
}

/**
 * One RTP or RTCP packet interleaved on the connection (RFC 2326 10.12):
 * `$`, the channel, the length in 16 bits, the packet.
 */
export function interleave(
  channel: number,
  packet: Uint8Array,
  into?: Uint8Array,
  at = 0,
): Uint8Array {
  const out = into ?? new Uint8Array(4 + packet.length);
  out[at] = 0x24;
  out[at + 1] = channel;
  out[at + 2] = packet.length >> 8;
  out[at + 3] = packet.length & 0xff;
  out.set(packet, at + 4);
  return out;
}

/** What the server sent: a response, or an interleaved packet (its RTCP, say). */
export type RtspIncoming =
  | { type: "response"; response: RtspResponse }
  | { type: "interleaved"; channel: number; packet: Uint8Array };

/**
 * Reads what an RTSP server sends on the connection, as it comes in pieces:
 * responses (a head, then `Content-Length` bytes of body) and interleaved
 * packets, in order.
 */
export class RtspReader {
  #buffer: Uint8Array = new Uint8Array(0);

  /**
   * Takes the next bytes; returns every whole message they complete.
   *
   * @throws {RangeError} For bytes that are neither, or a message over 64 KB.
   */
  push(bytes: Uint8Array): RtspIncoming[] {
    this.#buffer = this.#buffer.length === 0 ? bytes.slice() : concatBytes([this.#buffer, bytes]);
    const out: RtspIncoming[] = [];
    for (;;) {
      const message = this.#next();
      if (message === undefined) break;
      out.push(message);
    }
    if (this.#buffer.length > MAX_MESSAGE_BYTES) {
      throw new RangeError("the server sent more than 64 KB that is not a whole message");
    }
    return out;
  }

  #next(): RtspIncoming | undefined {
    const buffer = this.#buffer;
    if (buffer.length === 0) return undefined;
    if (buffer[0] === 0x24) {
      if (buffer.length < 4) return undefined;
      const length = (buffer[2] << 8) | buffer[3];
      if (buffer.length < 4 + length) return undefined;
      this.#buffer = buffer.subarray(4 + length);
      return { type: "interleaved", channel: buffer[1], packet: buffer.slice(4, 4 + length) };
    }
    const end = indexOfBlankLine(buffer);
    if (end === -1) {
      if (!startsLikeResponse(buffer)) throw new RangeError("the server sent something not RTSP");
      return undefined;
    }
    const head = new TextDecoder().decode(buffer.subarray(0, end));
    const [statusLine, ...headerLines] = head.split("\r\n");
    const status = /^RTSP\/1\.0 (\d{3})(?: (.*))?$/.exec(statusLine);
    if (status === null) {
      throw new RangeError(`the server answered "${printableText(statusLine, 80)}"`);
    }
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      // Repeated headers (WWW-Authenticate, one a scheme) are kept, one a line.
      headers[name] = headers[name] === undefined ? value : `${headers[name]}\n${value}`;
    }
    const length = Number(headers["content-length"] ?? "0");
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_MESSAGE_BYTES) {
      throw new RangeError(`the server sent a Content-Length of "${headers["content-length"]}"`);
    }
    if (buffer.length < end + 4 + length) return undefined;
    const body = new TextDecoder().decode(buffer.subarray(end + 4, end + 4 + length));
    this.#buffer = buffer.subarray(end + 4 + length);
    return {
      type: "response",
      response: {
        status: Number(status[1]),
        reason: printableText(status[2] ?? "", 80),
        headers,
        body,
      },
    };
  }
}

function indexOfBlankLine(buffer: Uint8Array): number {
  for (let i = 0; i + 3 < buffer.length; i++) {
    if (buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

/** Whether the bytes so far could begin "RTSP/1.0 ". */
function startsLikeResponse(buffer: Uint8Array): boolean {
  const prefix = "RTSP/1.0 ";
  for (let i = 0; i < Math.min(buffer.length, prefix.length); i++) {
    if (buffer[i] !== prefix.charCodeAt(i)) return false;
  }
  return true;
}
