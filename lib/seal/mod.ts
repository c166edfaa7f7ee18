/**
 * Sealing: keys, their stretching and sharing, AES-GCM on every datagram, nonces, the replay
 * window and the signed cookies of the handshake.
 *
 * May import: `cli`, `wire`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./aes_gcm.ts";
export * from "./camera_keys.ts";
export * from "./cookie_signer.ts";
export * from "./datagram_seal.ts";
export * from "./key_flags.ts";
export * from "./key_share.ts";
export * from "./nonce_sequence.ts";
export * from "./replay_window.ts";
export * from "./session_cipher.ts";
export * from "./stream_key.ts";
export * from "./stream_secret.ts";
