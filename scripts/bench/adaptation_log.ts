import type { LogLine } from "../../tests/_tool.ts";

/** The JPEG quality the sender starts at, the top of its ladder. */
export const TOP_QUALITY = 80;

/** One `adapted` event of the sender's log. */
export interface Adaptation {
  /** When, in ms since the epoch (the event's `time`). */
  at: number;
  /** The shared quality it set, for a shared change. */
  quality?: number;
  /** The shared share of the width it set, for a shared change. */
  widthScale?: number;
  /** The receiver's share of frames it set, for a per-receiver change. */
  fpsScale?: number;
}

/** A rung of the ladder: the shared quality and width, and the receiver's share of frames. */
export interface Rung {
  quality: number;
  widthScale: number;
  fpsScale: number;
}

/** The top of the ladder, where the sender starts. */
export const TOP_RUNG: Readonly<Rung> = { quality: TOP_QUALITY, widthScale: 1, fpsScale: 1 };

/** The sender's `adapted` events, in the order logged. */
export function readAdaptations(events: readonly LogLine[]): Adaptation[] {
  return events.filter((line) => line.event === "adapted").map((line) => {
    const adaptation: Adaptation = { at: Date.parse(String(line.time)) };
    if (typeof line.quality === "number") adaptation.quality = line.quality;
    if (typeof line.widthScale === "number") adaptation.widthScale = line.widthScale;
    if (typeof line.fpsScale === "number") adaptation.fpsScale = line.fpsScale;
    return adaptation;
  });
}

/** The rung in force at `at` (ms since the epoch): what the last changes at or before it left. */
export function rungAt(adaptations: readonly Adaptation[], at: number): Rung {
  const rung = { ...TOP_RUNG };
  for (const change of adaptations) {
    if (change.at > at) continue;
    rung.quality = change.quality ?? rung.quality;
    rung.widthScale = change.widthScale ?? rung.widthScale;
    rung.fpsScale = change.fpsScale ?? rung.fpsScale;
  }
  return rung;
}

/** The lowest quality, width and share of frames any change reached; the top if none. */
export function lowestRung(adaptations: readonly Adaptation[]): Rung {
  return {
    quality: Math.min(TOP_RUNG.quality, ...adaptations.map((a) => a.quality ?? Infinity)),
    widthScale: Math.min(1, ...adaptations.map((a) => a.widthScale ?? Infinity)),
    fpsScale: Math.min(1, ...adaptations.map((a) => a.fpsScale ?? Infinity)),
  };
}

/** Whether a rung is the top: full quality, full width, every frame. */
export function isTopRung(rung: Rung): boolean {
  return rung.quality >= TOP_QUALITY && rung.widthScale >= 1 && rung.fpsScale >= 1;
}

/** A rung in words, such as `quality 35, 2/3 of frames`; `top` for the top. */
export function formatRung(rung: Rung): string {
  if (isTopRung(rung)) return "top";
  const words = [`quality ${rung.quality}`];
  if (rung.fpsScale < 1) words.push(`${fraction(rung.fpsScale)} of frames`);
  if (rung.widthScale < 1) words.push(`${fraction(rung.widthScale)} of the width`);
  return words.join(", ");
}

/** A share as a small fraction, such as `5/6`, or to two decimals. */
function fraction(value: number): string {
  for (let d = 2; d <= 8; d++) {
    const n = Math.round(value * d);
    if (Math.abs(n / d - value) < 1e-3) return `${n}/${d}`;
  }
  return value.toFixed(2);
}
