/**
 * The sender's socket: who may receive (handshake, cookies, rate limits), pacing, fan-out, parity
 * and resends.
 *
 * May import: `adapt`, `hub`, `net`, `rtp`, `rtsp`, `seal`, `tutorial`, `util`,
 * `wire`. `tests/layers_test.ts` holds it
 * to that.
 *
 * @module
 */
export * from "./address_proof.ts";
export * from "./frame_plan.ts";
export * from "./hello_limiter.ts";
export * from "./pacer.ts";
export * from "./peer_link.ts";
export * from "./receiver_registry.ts";
export * from "./rejection_tally.ts";
export * from "./resend_queue.ts";
export * from "./rtp_output.ts";
export * from "./rtsp_output.ts";
export * from "./sealed_joins.ts";
export * from "./send_history.ts";
export * from "./send_newest.ts";
export * from "./sender_defaults.ts";
export * from "./sender_gate.ts";
export * from "./sender_rejection.ts";
export * from "./shape_of.ts";
export * from "./tutorial_output.ts";
export * from "./udp_sender.ts";
export * from "./udp_sender_options.ts";
export * from "./udp_sender_stats.ts";
