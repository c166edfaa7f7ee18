import type { LogLine } from "../../tests/_tool.ts";
import type { ViewedPart } from "./viewer.ts";

/** Seconds from the moment both tools start that count as start-up, reported apart. */
export const COLD_START_SECONDS = 5;

/**
 * Parts a second the viewer read from `from` to `to` (ms, on the viewer's
 * clock), the start included; NaN for an empty span.
 */
export function fpsBetween(parts: readonly ViewedPart[], from: number, to: number): number {
  if (!(to > from)) return NaN;
  const count = parts.filter((part) => part.readAt >= from && part.readAt < to).length;
  return (count * 1000) / (to - from);
}

/**
 * From the sender's first frame (its `listening` event) to the receiver going
 * live (its first `state` event to `live`), in ms, by the events' `time`;
 * undefined if either never came.
 */
export function firstFrameDelayMs(
  sender: readonly LogLine[],
  receiver: readonly LogLine[],
): number | undefined {
  const listening = sender.find((line) => line.event === "listening");
  const live = receiver.find((line) => line.event === "state" && line.to === "live");
  if (listening === undefined || live === undefined) return undefined;
  return Date.parse(String(live.time)) - Date.parse(String(listening.time));
}
