/**
 * The two tools' composition roots: their flags, and the start-up that wires the stages together
 * in the order a frame flows.
 *
 * May import: `adapt`, `capture`, `cli`, `discover`, `ffmpeg`, `hub`, `image`, `metrics`, `net`, `overlay`,
 * `preview`, `receive`, `record`, `rtp`, `rtsp`, `seal`, `send`, `tutorial`, `util`, `wire`. `tests/layers_test.ts`
 * holds it to that.
 *
 * @module
 */
export * from "./choose_sender.ts";
export * from "./prepare_start.ts";
export * from "./receiver_args.ts";
export * from "./receiver_help.ts";
export * from "./receiver_outputs.ts";
export * from "./receiver_text.ts";
export * from "./resolve_host.ts";
export * from "./run_cli.ts";
export * from "./run_receiver.ts";
export * from "./run_sender.ts";
export * from "./sender_args.ts";
export * from "./sender_help.ts";
export * from "./sender_log.ts";
export * from "./sender_source.ts";
export * from "./sender_status.ts";
export * from "./station.ts";
export * from "./station_roster.ts";
export * from "./stored_token.ts";
