/**
 * IPv4 socket addresses as the system's calls take them (`struct
 * sockaddr_in`: family, port in network order, address, 8 bytes of zeros).
 *
 * @module
 */

/** The size of a `struct sockaddr_in`. */
export const SOCKADDR_IN_SIZE = 16;
/** `AF_INET` on Linux. */
export const AF_INET = 2;

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * The 32-bit value of a dotted-quad IPv4 address (`"127.0.0.1"` is
 * `0x7f000001`), or `undefined` for anything else (a name, IPv6, a part over 255).
 */
export function parseIpv4(hostname: string): number | undefined {
  const parts = DOTTED_QUAD.exec(hostname);
  if (parts === null) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(parts[i]);
    if (part > 255) return undefined;
    value = value * 256 + part;
  }
  return value;
}

/** Whether `hostname` is an IPv4 multicast group (224.0.0.0/4). */
export function isMulticastIpv4(hostname: string): boolean {
  const ip = parseIpv4(hostname);
  return ip !== undefined && ip >>> 28 === 0xe;
}

/** Writes `ip` (from {@linkcode parseIpv4}) and `port` as a `sockaddr_in` at `view`'s `offset`. */
export function writeSockaddrIn(view: DataView, offset: number, ip: number, port: number): void {
  view.setUint16(offset, AF_INET, true);
  view.setUint16(offset + 2, port, false);
  view.setUint32(offset + 4, ip, false);
  view.setUint32(offset + 8, 0);
  view.setUint32(offset + 12, 0);
}

/**
 * The address and port of the `sockaddr_in` at `view`'s `offset` as one
 * number (`ip * 65536 + port`, exact below 2^48), or -1 if it is not IPv4.
 */
export function readSockaddrIn(view: DataView, offset: number): number {
  if (view.getUint16(offset, true) !== AF_INET) return -1;
  return view.getUint32(offset + 4, false) * 65536 + view.getUint16(offset + 2, false);
}

/** The `Deno.NetAddr` of a number from {@linkcode readSockaddrIn}. */
export function netAddrOf(key: number): Deno.NetAddr {
  const ip = Math.floor(key / 65536);
  return {
    transport: "udp",
    hostname: `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`,
    port: key % 65536,
  };
}
