/** What the receiver needs of an SDP to take an RTP/JPEG stream. */
export interface RtpJpegSdpSource {
  /** The address the stream goes to: a multicast group to join, or a unicast address. */
  address: string;
  port: number;
  payloadType: number;
  /** From `a=x-dimensions`, for frames over 2040 pixels. */
  size?: { width: number; height: number };
}

/** Why an SDP cannot be used, in words that say what is wrong. */
export class SdpError extends Error {
  override name = "SdpError";
}

/**
 * Reads the first RTP/JPEG video stream of an SDP (RFC 4566): its address
 * (`c=`, the stream's own or the session's), port and payload type (`m=`;
 * 26, or one whose `a=rtpmap` says `JPEG/90000`), and `a=x-dimensions`.
 *
 * @throws {SdpError} For an SDP with no such stream, or without an address or port.
 */
export function parseRtpJpegSdp(text: string): RtpJpegSdpSource {
  let sessionAddress: string | undefined;
  let media: { port: number; formats: number[]; address?: string } | undefined;
  let found: RtpJpegSdpSource | undefined;
  const rtpmaps = new Map<number, string>();
  let size: { width: number; height: number } | undefined;
  const finish = () => {
    if (media === undefined || found !== undefined) return;
    const payloadType = media.formats.find((pt) =>
      pt === 26 || /^JPEG\/90000$/i.test(rtpmaps.get(pt) ?? "")
    );
    const address = media.address ?? sessionAddress;
    if (payloadType === undefined || address === undefined) return;
    found = { address, port: media.port, payloadType, ...(size === undefined ? {} : { size }) };
  };
  let inMedia = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("m=")) {
      finish();
      inMedia = true;
      rtpmaps.clear();
      size = undefined;
      const [kind, port, proto, ...formats] = line.slice(2).split(/\s+/);
      media = kind === "video" && /^RTP\/AVP$/i.test(proto ?? "")
        ? { port: Number(port?.split("/")[0]), formats: formats.map(Number) }
        : undefined;
    } else if (line.startsWith("c=")) {
      const address = line.slice(2).split(/\s+/)[2]?.split("/")[0];
      // A stream's own c= is its alone, whether or not it is the one taken.
      if (!inMedia) sessionAddress = address;
      else if (media !== undefined) media.address = address;
    } else if (line.startsWith("a=rtpmap:")) {
      const [pt, encoding] = line.slice("a=rtpmap:".length).split(/\s+/);
      rtpmaps.set(Number(pt), encoding ?? "");
    } else if (line.startsWith("a=x-dimensions:")) {
      const [width, height] = line.slice("a=x-dimensions:".length).split(",").map(Number);
      if (![width, height].every((n) => Number.isInteger(n) && n >= 1 && n <= 0xffff)) {
        throw new SdpError(`its a=x-dimensions is not a size of 1 to 65535 pixels a side: ${line}`);
      }
      size = { width, height };
    }
  }
  finish();
  if (found === undefined) {
    throw new SdpError("it has no RTP/JPEG video stream (m=video ... RTP/AVP 26, or JPEG/90000)");
  }
  if (!Number.isInteger(found.port) || found.port < 1 || found.port > 65535) {
    throw new SdpError(`its video stream's port is not one: ${found.port}`);
  }
  return found;
}
