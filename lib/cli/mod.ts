/**
 * The command line's plumbing shared by both tools: flag parsers, the one-line error and its exit
 * code, the logger and the status line.
 *
 * May import: nothing but its own files. `tests/layers_test.ts` holds it to that.
 *
 * @module
 */
export * from "./cli_error.ts";
export * from "./duration.ts";
export * from "./host_port.ts";
export * from "./int_flag.ts";
export * from "./logger.ts";
export * from "./parse_flags.ts";
export * from "./status_line.ts";
export * from "./switch_flag.ts";
