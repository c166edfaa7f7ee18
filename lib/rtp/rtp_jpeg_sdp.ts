import { isMulticastIpv4 } from "../net/ipv4_address.ts";

/** What an SDP for an RTP/JPEG stream says. */
export interface RtpJpegSdpOptions {
  /** Where the stream goes: a unicast address, or an IPv4 multicast group. */
  address: string;
  port: number;
  /** A multicast group's TTL; required for one, refused for a unicast address. */
  ttl?: number;
  /** The image size: above 2040 pixels it goes as `a=x-dimensions`, which RTP/JPEG's header cannot say. */
  width?: number;
  height?: number;
  /** @default {26} */
  payloadType?: number;
  /** The session's name. @default {"udpcam"} */
  name?: string;
  /** The stream's `a=control` (RTSP names it in SETUP). @default undefined, none */
  control?: string;
}

/**
 * The SDP (RFC 4566) that ffplay, VLC and GStreamer open to receive an
 * RTP/JPEG stream: one video stream, RTP/AVP, 90 kHz.
 *
 * @throws {RangeError} For a TTL without a multicast group, or a group without one.
 */
export function rtpJpegSdp(options: RtpJpegSdpOptions): string {
  const { address, port, ttl, width, height, payloadType = 26, name = "udpcam", control } = options;
  const ipv6 = address.includes(":");
  const multicast = isMulticastIpv4(address);
  if (multicast && ttl === undefined) throw new RangeError("A multicast group needs a TTL");
  if (!multicast && ttl !== undefined) throw new RangeError("A TTL is for a multicast group");
  const family = ipv6 ? "IP6" : "IP4";
  const lines = [
    "v=0",
    `o=- 0 0 IN ${family} ${address}`,
    `s=${name}`,
    `c=IN ${family} ${address}${multicast ? `/${ttl}` : ""}`,
    "t=0 0",
    `m=video ${port} RTP/AVP ${payloadType}`,
    `a=rtpmap:${payloadType} JPEG/90000`,
  ];
  if (width !== undefined && height !== undefined && (width > 2040 || height > 2040)) {
    lines.push(`a=x-dimensions:${width},${height}`);
  }
  if (control !== undefined) lines.push(`a=control:${control}`);
  return lines.join("\r\n") + "\r\n";
}
