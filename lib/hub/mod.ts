/**
 * The frame, and the hub that hands the newest one to whoever asks (newest wins: a slow reader
 * skips, never queues).
 *
 * May import: nothing but its own files. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./frame.ts";
export * from "./latest_value.ts";
