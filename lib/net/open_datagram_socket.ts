import { type DatagramSocket, denoDatagramSocket } from "./datagram_socket.ts";
import { systemUdpSocket } from "./system_udp_socket.ts";

/** Which socket {@linkcode openDatagramSocket} gives: the fastest there is, or Deno's. */
export type SocketKind = "auto" | "deno";

/**
 * A UDP socket bound to `hostname`:`port`: the system's own through FFI where
 * it can be had (see `system_udp_socket.ts`), else Deno's.
 *
 * @throws As `Deno.listenDatagram` does: {@linkcode Deno.errors.AddrInUse} and the like.
 */
export function openDatagramSocket(
  address: { hostname: string; port: number },
  kind: SocketKind = "auto",
): DatagramSocket {
  const system = kind === "auto" ? systemUdpSocket(address) : undefined;
  return system ?? denoDatagramSocket(Deno.listenDatagram({ transport: "udp", ...address }));
}
