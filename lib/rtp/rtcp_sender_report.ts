/** Seconds from 1900 (NTP's epoch) to 1970 (the Unix epoch). */
const NTP_FROM_UNIX_SECONDS = 2_208_988_800;

/** What an RTCP sender report says (RFC 3550 section 6.4.1). */
export interface SenderReport {
  ssrc: number;
  /** The wall clock now, in ms since the Unix epoch. */
  wallMs: number;
  /** The RTP timestamp that stands for the same instant (90 kHz for video). */
  rtpTimestamp: number;
  /** RTP packets sent since the start. */
  packets: number;
  /** Payload bytes sent since the start (RTP headers not counted). */
  octets: number;
  /** The source's canonical name (SDES CNAME), such as `udpcam@host`. */
  cname: string;
}

/**
 * A compound RTCP packet of a sender report and an SDES with the CNAME, as
 * RFC 3550 wants every compound packet to start: what lets a receiver map
 * RTP timestamps to wall-clock time and tell sources apart.
 */
export function encodeSenderReport(report: SenderReport): Uint8Array {
  const cname = new TextEncoder().encode(report.cname).subarray(0, 255);
  // SDES: header, SSRC, the CNAME item, then at least one zero byte, to a 32-bit boundary.
  const sdesLength = Math.ceil((4 + 4 + 2 + cname.length + 1) / 4) * 4;
  const out = new Uint8Array(28 + sdesLength);
  const view = new DataView(out.buffer);
  const seconds = Math.floor(report.wallMs / 1000);
  const fraction = Math.floor(((report.wallMs % 1000) / 1000) * 2 ** 32);
  out[0] = 0x80; // V=2, no padding, no report blocks
  out[1] = 200; // SR
  view.setUint16(2, 28 / 4 - 1);
  view.setUint32(4, report.ssrc);
  view.setUint32(8, (seconds + NTP_FROM_UNIX_SECONDS) >>> 0);
  view.setUint32(12, fraction >>> 0);
  view.setUint32(16, report.rtpTimestamp >>> 0);
  view.setUint32(20, report.packets >>> 0);
  view.setUint32(24, report.octets >>> 0);
  out[28] = 0x81; // V=2, one chunk
  out[29] = 202; // SDES
  view.setUint16(30, sdesLength / 4 - 1);
  view.setUint32(32, report.ssrc);
  out[36] = 1; // CNAME
  out[37] = cname.length;
  out.set(cname, 38);
  return out;
}
