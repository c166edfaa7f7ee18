/**
 * Finding senders on the LAN without typing an address: each sender
 * announces itself by DNS-SD over mDNS as `_udpcam._udp` (its name, port,
 * protocol version and whether it needs a key, never the key), and a
 * receiver browses for them. Through npm's `bonjour-service`.
 *
 * May import: `util`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./announce_sender.ts";
export * from "./discover_senders.ts";
export * from "./watch_senders.ts";
