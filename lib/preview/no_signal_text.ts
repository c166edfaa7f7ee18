/**
 * The words of the frame the receiver shows in place of video (see
 * `no_signal_frame.ts`): a title, what happened and when, and why.
 *
 * @module
 */
import { wallClock } from "../util/clock.ts";
import type { FrameSignal } from "../hub/frame.ts";

/** Options for {@linkcode noSignalText}. */
export interface NoSignalTextOptions {
  /** Why there is no video. @default "lost" */
  signal?: FrameSignal;
  /** When the last frame from the sender arrived, in ms since the epoch; `undefined` if none did. @default undefined */
  lostAt?: number;
  /** The time the frame is drawn at, for "ago", in ms since the epoch. @default wallClock() */
  now?: number;
  /** Why, in words: the link's state reason. @default "" */
  reason?: string;
  /** The sender's address as `HOST:PORT`. @default undefined */
  sender?: string;
}

/** What a no-signal frame says. */
export interface NoSignalText {
  /** The headline, in capitals. */
  title: string;
  /** What happened and when, drawn bright. */
  detail: string[];
  /** Why, and who, drawn dim. */
  note: string[];
}

/**
 * The words of a no-signal frame: times in local time, and how long ago the
 * signal was lost counted from `now`.
 *
 * @example Usage
 * ```ts
 * import { noSignalText } from "./no_signal_text.ts";
 *
 * const lostAt = new Date(2024, 0, 1, 14, 3, 7).getTime();
 * const text = noSignalText({ lostAt, now: lostAt + 125_000, reason: "sender said goodbye" });
 * // text.detail: ["lost at 14:03:07 (2 min 5 s ago)"]
 * ```
 *
 * @param options What happened, when and why.
 * @returns The title and the lines under it.
 */
export function noSignalText(options: NoSignalTextOptions = {}): NoSignalText {
  const { signal = "lost", lostAt, now = wallClock(), reason = "", sender } = options;
  const when = lostAt === undefined
    ? undefined
    : `${formatClock(lostAt, now)} (${formatAgo(now - lostAt)} ago)`;
  const lines = (...items: Array<string | undefined>) =>
    items.filter((item): item is string => item !== undefined && item !== "");
  switch (signal) {
    case "lost":
      return {
        title: "NO SIGNAL",
        detail: [when === undefined ? "the video stopped" : `lost at ${when}`],
        note: lines(reason, sender && `sender ${sender}`),
      };
    case "waiting":
      return {
        title: "WAITING FOR SENDER",
        detail: [sender ? `waiting for the sender at ${sender}` : "waiting for the sender"],
        note: lines(reason),
      };
    case "refused":
      return {
        title: "REFUSED",
        detail: [reason || "the sender refused this receiver"],
        note: lines(sender && `sender ${sender}`, when && `last frame at ${when}`),
      };
  }
}

/** `HH:MM:SS` in local time, with the date in front when it is not the day of `now`. */
function formatClock(time: number, now: number): string {
  const date = new Date(time);
  const today = new Date(now);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (
    date.getFullYear() === today.getFullYear() && date.getMonth() === today.getMonth() &&
    date.getDate() === today.getDate()
  ) {
    return clock;
  }
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock}`;
}

/** A duration as its two largest units: `5 s`, `2 min 5 s`, `1 h 3 min`, `2 d 4 h`. */
function formatAgo(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
