import type { SizeResult } from "./summarize.ts";

/** The size the targets are for. */
export const TARGET_SOURCE = "1920x1080";

/** One target and whether a result meets it. */
export interface TargetCheck {
  /** What is measured, such as `delivered fps`. */
  name: string;
  /** The target, such as `>= 29`. */
  target: string;
  /** The measured value. */
  value: number;
  /** Whether the value meets the target. */
  met: boolean;
}

/** Checks the 1920x1080 result against the targets. */
export function checkTargets(result: SizeResult): TargetCheck[] {
  return [
    atLeast("delivered fps", result.fps, 29),
    atMost("latency p50 (ms)", result.latencyMs.p50, 5),
    atMost("latency p99 (ms)", result.latencyMs.p99, 20),
    atMost("sender+receiver CPU (ms/frame)", result.totalCpuMsPerFrame, 5),
  ];
}

function atLeast(name: string, value: number, min: number): TargetCheck {
  return { name, target: `>= ${min}`, value, met: value >= min };
}

function atMost(name: string, value: number, max: number): TargetCheck {
  return { name, target: `<= ${max}`, value, met: value <= max };
}
