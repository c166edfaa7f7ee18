/**
 * Small helpers every stage may use: the clock, waits and timeouts, byte joining, and the calls
 * into a worker thread that keep pixel work off the event loop.
 *
 * May import: nothing but its own files. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./answer_calls.ts";
export * from "./clock.ts";
export * from "./concat_bytes.ts";
export * from "./pause.ts";
export * from "./pause_after_errors.ts";
export * from "./printable_text.ts";
export * from "./sleep.ts";
export * from "./with_timeout.ts";
export * from "./worker_client.ts";
