/**
 * The wire format: every datagram's header and body, a frame cut into datagrams, and parity over
 * them. Pure codecs: no sockets, no keys.
 *
 * May import: nothing but its own files. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./format_session.ts";
export * from "./fragment_frame.ts";
export * from "./control.ts";
export * from "./parity_datagrams.ts";
