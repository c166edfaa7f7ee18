/**
 * Meters a tool keeps on itself: latency histograms, rates, sample windows, the event loop's lag
 * and the queue delay.
 *
 * May import: nothing but its own files. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./latency_histogram.ts";
export * from "./nearest_rank.ts";
export * from "./loop_lag_meter.ts";
export * from "./loop_lag_sampler.ts";
export * from "./queue_delay_meter.ts";
export * from "./rate_meter.ts";
export * from "./sample_window.ts";
