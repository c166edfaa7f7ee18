/**
 * Adaptation: what each receiver's reports say about its link, and the rung of quality, size and
 * rate the sender streams at.
 *
 * May import: `wire`. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./adaptation.ts";
export * from "./frame_thinner.ts";
export * from "./link_controller.ts";
export * from "./link_report.ts";
export * from "./rate_ladder.ts";
