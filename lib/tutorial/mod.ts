/**
 * The classic tutorial's protocol, the one udpcam grew out of: a client
 * greets a server with any datagram, and the server then sends it each frame
 * as one datagram of base64 JPEG, with nothing else: no header, no recovery,
 * no security. Here: the datagrams both ways, the clients a server keeps,
 * and frames made small enough to fit one datagram, off the main thread.
 *
 * May import: `image`, `util`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./jpeg_fit.ts";
export * from "./jpeg_fitter.ts";
export * from "./tutorial_clients.ts";
export * from "./tutorial_datagram.ts";
