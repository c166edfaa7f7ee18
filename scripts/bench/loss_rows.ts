import type { LinkProfile } from "../impair/link_profile.ts";

/** One link of the loss matrix, with the targets recovery must meet on it. */
export interface LossRow {
  /** A short name, for `--rows`. */
  id: string;
  /** What the link does, as docs/BENCH.md's table says it. */
  label: string;
  /** The impairment, applied to both directions on top of {@linkcode BASE_LINK}. */
  link: LinkProfile;
  /**
   * The least share of whole frames delivered, percent, with recovery on; for
   * the bandwidth cap, the least fps of whole frames from 10 s on.
   */
  target: { deliveredPercent?: number; fps?: number; extraMs?: number };
  /** The cold-start targets of issue 11, counted from the moment both tools start. */
  coldStart?: ColdStartTarget;
}

/** What a run must do from a cold start, counted from the moment both tools start. */
export interface ColdStartTarget {
  /** The least fps of whole frames from 5 s to the end. */
  fps?: number;
  /** The shared JPEG quality the sender must be back at when the run ends. */
  endQuality?: number;
  /** The most frames the receiver may drop over the run. */
  framesDropped?: number;
  /** The most ms from the sender's first frame to the receiver going live. */
  firstFrameMs?: number;
  /** Judge runs with recovery off too (a clean link needs none). @default {false} */
  anyRecovery?: boolean;
}

/** The path's own delay, both ways: a LAN or good Wi-Fi, about 5 ms round trip. */
export const BASE_LINK: LinkProfile = { delayMs: 2, jitterMs: 0.5 };

/**
 * The rows of the loss matrix. The bandwidth cap is half the stream's
 * bitrate; {@linkcode capRow} fills it in once the stream has been measured.
 */
export const LOSS_ROWS: readonly LossRow[] = [
  {
    id: "clean",
    label: "no impairment",
    link: {},
    target: {},
    coldStart: { framesDropped: 0, firstFrameMs: 150, anyRecovery: true },
  },
  {
    id: "loss1",
    label: "1 % random loss",
    link: { lossPercent: 1 },
    target: { deliveredPercent: 99.5, extraMs: 10 },
    coldStart: { fps: 29.5, endQuality: 80 },
  },
  {
    id: "loss5",
    label: "5 % random loss",
    link: { lossPercent: 5 },
    target: { deliveredPercent: 99, extraMs: 10 },
    coldStart: { fps: 29, endQuality: 80 },
  },
  {
    id: "loss10",
    label: "10 % random loss",
    link: { lossPercent: 10 },
    target: { deliveredPercent: 95, extraMs: 15 },
    coldStart: { fps: 28.5, endQuality: 80 },
  },
  {
    id: "burst5",
    label: "5 % bursty loss, mean burst 4",
    link: { lossPercent: 5, burstLength: 4 },
    target: { deliveredPercent: 95, extraMs: 15 },
  },
  {
    id: "cap",
    label: "cap at half the bitrate, 100 ms queue",
    link: { queueMs: 100 },
    target: { fps: 25 },
  },
  {
    id: "dupreorder",
    label: "2 % duplicated, 5 % reordered",
    link: { duplicatePercent: 2, reorderPercent: 5 },
    target: { deliveredPercent: 100 },
  },
];

/** The cap row's link for a stream of `streamMbps`. */
export function capRow(row: LossRow, streamMbps: number): LinkProfile {
  return row.id === "cap" ? { ...row.link, rateMbps: streamMbps / 2 } : row.link;
}
