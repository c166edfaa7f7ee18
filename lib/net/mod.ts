/**
 * The UDP socket both tools use: Deno's, or on Linux the system's own through FFI, which sends and
 * receives many datagrams a call; and the loop that receives on it.
 *
 * May import: `util`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./datagram_socket.ts";
export * from "./ipv4_address.ts";
export * from "./lan_addresses.ts";
export * from "./open_datagram_socket.ts";
export * from "./receive_datagrams.ts";
export * from "./system_udp_socket.ts";
