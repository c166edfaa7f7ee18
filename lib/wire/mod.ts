/**
 * The wire format: every datagram's header and body, a frame cut into datagrams, and parity over
 * them. Pure codecs: no sockets, no keys. The format is written down in `docs/PROTOCOL.md`.
 *
 * May import: nothing but its own files. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./control.ts";
export * from "./data.ts";
export * from "./decode_packet.ts";
export * from "./format_session.ts";
export * from "./fragment_frame.ts";
export * from "./handshake.ts";
export * from "./header.ts";
export * from "./nack.ts";
export * from "./parity_datagrams.ts";
export * from "./refused.ts";
