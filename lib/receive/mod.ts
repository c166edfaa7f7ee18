/**
 * The receiver's socket: joining a sender, its link's state, reports and resend requests, and
 * frames put back together from datagrams; or RTP/JPEG from any sender of it.
 *
 * May import: `adapt`, `hub`, `image`, `metrics`, `net`, `rtp`, `seal`, `tutorial`, `util`,
 * `wire`.
 * `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./bare_receiver_stats.ts";
export * from "./fragment_buffer.ts";
export * from "./frame_order.ts";
export * from "./frame_receiver.ts";
export * from "./link_pace.ts";
export * from "./link_reason.ts";
export * from "./link_state.ts";
export * from "./nack_policy.ts";
export * from "./parity_groups.ts";
export * from "./partial_frame.ts";
export * from "./probe_salt.ts";
export * from "./reassembler.ts";
export * from "./reassembler_stats.ts";
export * from "./receiver_gate.ts";
export * from "./receiver_link.ts";
export * from "./receiver_rejection.ts";
export * from "./receiver_stats.ts";
export * from "./recovery_waits.ts";
export * from "./round_trip.ts";
export * from "./rtp_receiver.ts";
export * from "./session_keys.ts";
export * from "./start_budget.ts";
export * from "./tutorial_receiver.ts";
export * from "./udp_receiver.ts";
