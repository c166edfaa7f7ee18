/**
 * The receiver's sources of protocols other than udpcam's own: RTP/JPEG from
 * `rtp://` or an SDP file, and a server of the classic tutorial.
 *
 * @module
 */
import { UsageError } from "../cli/cli_error.ts";
import { formatHostPort, type HostPort } from "../cli/host_port.ts";
import { SourceError } from "../ffmpeg/source_error.ts";
import type { DatagramSocket } from "../net/datagram_socket.ts";
import { isMulticastIpv4 } from "../net/ipv4_address.ts";
import { openDatagramSocket } from "../net/open_datagram_socket.ts";
import type { FrameReceiver } from "../receive/frame_receiver.ts";
import { RtpReceiver } from "../receive/rtp_receiver.ts";
import { TutorialReceiver } from "../receive/tutorial_receiver.ts";
import { parseRtpJpegSdp, SdpError } from "../rtp/parse_rtp_jpeg_sdp.ts";
import type { ReceiverArgs } from "./receiver_args.ts";
import { resolveHost } from "./resolve_host.ts";

/**
 * The source of a protocol other than udpcam's own (RTP/JPEG from `rtp://` or
 * `--sdp`, or a tutorial server), as its URL and how to open it; `undefined`
 * for udpcam's own.
 */
export async function otherProtocol(args: ReceiverArgs): Promise<
  { source: string; open: (onWork: () => void) => Promise<FrameReceiver> } | undefined
> {
  if (args.rtp !== undefined || args.sdp !== undefined) {
    const rtp = args.sdp === undefined
      ? { address: args.rtp!, payloadType: 26 }
      : await readSdpSource(args.sdp);
    const source = `rtp://${formatHostPort(rtp.address)}`;
    return {
      source,
      open: async (onWork) =>
        new RtpReceiver({
          socket: await openRtpSocket(rtp.address),
          source,
          payloadType: rtp.payloadType,
          size: rtp.size,
          onWork,
        }),
    };
  }
  if (args.tutorial === undefined) return undefined;
  const { port } = args.tutorial;
  const hostname = await resolveHost(args.tutorial.hostname);
  const source = `tutorial://${formatHostPort(args.tutorial)}`;
  return {
    source,
    open: (onWork) =>
      Promise.resolve(
        new TutorialReceiver({
          socket: openDatagramSocket({
            hostname: hostname.includes(":") ? "::" : "0.0.0.0",
            port: 0,
          }),
          server: { transport: "udp", hostname, port },
          source,
          onWork,
        }),
      ),
  };
}

/** Where and what the RTP of the SDP file at `path` is; a one-line error for one that will not do. */
async function readSdpSource(path: string): Promise<{
  address: HostPort;
  payloadType: number;
  size?: { width: number; height: number };
}> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new UsageError(`cannot read --sdp ${path}: ${reason}`);
  }
  try {
    const sdp = parseRtpJpegSdp(text);
    // A unicast stream comes to this host, whichever of its addresses the SDP names.
    const hostname = isMulticastIpv4(sdp.address) ? sdp.address : "0.0.0.0";
    return { address: { hostname, port: sdp.port }, payloadType: sdp.payloadType, size: sdp.size };
  } catch (error) {
    if (!(error instanceof SdpError)) throw error;
    throw new UsageError(`--sdp ${path} will not do: ${error.message}`);
  }
}

/**
 * A socket where RTP comes to `address`: bound to it, or for an IPv4
 * multicast group bound to its port on every interface and joined.
 */
async function openRtpSocket(address: HostPort): Promise<Deno.DatagramConn | DatagramSocket> {
  try {
    return await bindRtpSocket(address);
  } catch (error) {
    // Said of the RTP address, not of the preview's, which the tool names by default.
    const where = `rtp://${formatHostPort(address)}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new SourceError(
        `${where} is already in use: stop the program using it, or choose another port`,
      );
    }
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new SourceError(`cannot receive on ${where}: ${reason}`);
  }
}

async function bindRtpSocket(address: HostPort): Promise<Deno.DatagramConn | DatagramSocket> {
  if (!isMulticastIpv4(address.hostname)) return openDatagramSocket(address);
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: "0.0.0.0",
    port: address.port,
    reuseAddress: true,
    loopback: true,
  });
  try {
    await conn.joinMulticastV4(address.hostname, "0.0.0.0");
  } catch (error) {
    conn.close();
    throw error;
  }
  return conn;
}
