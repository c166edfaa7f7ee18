/**
 * RTSP (RFC 2326) as a publisher speaks it: the URL with its credentials,
 * requests written and responses read from one TCP connection that also
 * carries the RTP interleaved, and Basic and Digest authorization. Written
 * here rather than taken from a library: no well-kept RTSP client for Deno
 * or npm publishes (ANNOUNCE/RECORD) without native code or an ffmpeg of its
 * own, and a publisher needs only these four requests.
 *
 * May import: `util`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./rtsp_auth.ts";
export * from "./rtsp_message.ts";
export * from "./rtsp_url.ts";
