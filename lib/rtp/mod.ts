/**
 * RTP/JPEG (RFC 2435) both ways: JPEGs cut into RTP packets with the SDP
 * that describes them, and RTP packets read, JPEG headers rebuilt from the
 * RFC's tables, frames put back together from the packets of GStreamer,
 * ffmpeg, cameras and anything else that speaks it.
 *
 * May import: `image`, `net`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./jpeg_header.ts";
export * from "./parse_rtp_jpeg_sdp.ts";
export * from "./quant_tables.ts";
export * from "./rtcp_sender_report.ts";
export * from "./rtp_jpeg_depacketizer.ts";
export * from "./rtp_jpeg_packetizer.ts";
export * from "./rtp_jpeg_sdp.ts";
export * from "./rtp_packet.ts";
