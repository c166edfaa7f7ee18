import { FrameThinner } from "../adapt/frame_thinner.ts";
import { type LinkReport, linkReport } from "../adapt/link_report.ts";
import type { ReceiverReport } from "../wire/control.ts";

/**
 * From this loss (percent, before recovery) on, a link gets redundancy: each
 * resend goes out twice, and each frame's last datagram too, so that the
 * receiver learns at once where the frame ends.
 */
export const LOSSY_LINK_PERCENT = 0.5;
/** Loss (percent) from which a link counts as congested rather than lossy. */
export const CONGESTED_LOSS_PERCENT = 15;
/** Queueing delay (ms) from which a link counts as congested. */
export const CONGESTED_QUEUE_MS = 30;
/** Each byte first sent to a receiver earns this share of a byte of resends. */
export const RESEND_SHARE = 0.5;
/** The same on a congested link, where resends would only deepen the queue that lost them. */
export const RESEND_SHARE_CONGESTED = 0.05;
/** The most resend credit a receiver holds, in bytes. */
export const RESEND_CREDIT_MAX_BYTES = 256 * 1024;
/**
 * Reports are compared with the one about this long before, in ms: a
 * keepalive comes 4 times a second, and a quarter of a second holds too few
 * frames to tell one unlucky loss from a pattern.
 */
export const REPORT_WINDOW_MS = 1000;
/** A report's counters may run this far ahead of the datagrams sent, for those in flight. */
const REPORT_SLACK = 256;
/** Round-trip or queueing delay (ms) beyond which a report cannot be true. */
const REPORT_MAX_DELAY_MS = 60_000;

/** One receiver's link as its sender keeps it, for `stats`. */
export interface PeerLinkStats {
  /** `host:port`. */
  address: string;
  /** Round-trip time the receiver measures, ms. */
  rttMs: number;
  /** Datagrams lost before recovery, percent, over the last report. */
  lossPercent: number;
  /** Queueing delay the receiver sees, ms. */
  queueDelayMs: number;
  /** Frames it showed. */
  framesShown: number;
  /** Frames it lost, after recovery. */
  framesLost: number;
  /** Datagrams resent to it on request. */
  resent: number;
}

/**
 * What the sender knows of one receiver's link: its latest report, whether it
 * is lossy (redundancy pays) or congested (it does not), and its resend
 * budget. Pure: fed with the receiver's reports and the bytes sent to it.
 */
export class PeerLink {
  /** Which of the source's frames this receiver gets. */
  readonly thinner: FrameThinner = new FrameThinner();
  #report: ReceiverReport | undefined;
  #reports: Array<{ at: number; report: ReceiverReport; datagrams: number }> = [];
  #datagrams = 0;
  #implausible = 0;
  #lossPercent = 0;
  #credit = RESEND_CREDIT_MAX_BYTES;
  #resent = 0;

  /** Reports ignored because they could not be true. */
  get implausible(): number {
    return this.#implausible;
  }

  /** Loss before recovery over the last two reports, percent. */
  get lossPercent(): number {
    return this.#lossPercent;
  }

  /** Resend credit left, in bytes. */
  get credit(): number {
    return this.#credit;
  }

  /** Heavy loss or a queue building up: resends would make it worse. */
  get congested(): boolean {
    return this.#lossPercent >= CONGESTED_LOSS_PERCENT ||
      (this.#report?.queueDelayMs ?? 0) >= CONGESTED_QUEUE_MS;
  }

  /** Loses datagrams at random, without congestion: redundancy pays. */
  get lossy(): boolean {
    return this.#lossPercent >= LOSSY_LINK_PERCENT && !this.congested;
  }

  /**
   * Takes the receiver's latest report, received at `now` (ms), and returns
   * what changed over about the last second ({@linkcode REPORT_WINDOW_MS}),
   * if anything was sent in that time.
   */
  report(report: ReceiverReport, now: number): LinkReport | undefined {
    if (!this.#plausible(report)) {
      // Counters that went back or ran ahead of what was sent, or absurd
      // delays: a forgery or garbage. It changes nothing, and reports start
      // over from the next, so that one bad report cannot spoil those after it.
      this.#implausible++;
      this.#reports = [];
      return undefined;
    }
    this.#report = report;
    const reports = this.#reports;
    while (reports.length > 1 && now - reports[1].at >= REPORT_WINDOW_MS) reports.shift();
    const before = reports[0]?.report;
    reports.push({ at: now, report, datagrams: this.#datagrams });
    if (before === undefined) return undefined;
    const change = linkReport(before, report);
    if (change !== undefined) this.#lossPercent = change.lossFraction * 100;
    return change;
  }

  /** Records `bytes` first sent to the receiver: they earn resend credit. */
  sent(bytes: number): void {
    this.#datagrams++;
    const share = this.congested ? RESEND_SHARE_CONGESTED : RESEND_SHARE;
    this.#credit = Math.min(RESEND_CREDIT_MAX_BYTES, this.#credit + bytes * share);
  }

  /** Spends credit on a resend of `bytes`; false, and nothing spent, when there is too little. */
  spend(bytes: number, requested = true): boolean {
    if (this.#credit < bytes) return false;
    this.#credit -= bytes;
    if (requested) this.#resent++;
    return true;
  }

  #plausible(report: ReceiverReport): boolean {
    if (!(report.rttMs <= REPORT_MAX_DELAY_MS && report.queueDelayMs <= REPORT_MAX_DELAY_MS)) {
      return false;
    }
    const last = this.#reports.at(-1);
    if (last === undefined) return true;
    const bound = this.#datagrams - last.datagrams + REPORT_SLACK;
    const ahead = (field: keyof ReceiverReport) => (report[field] - last.report[field]) >>> 0;
    return ahead("fragments") <= bound && ahead("missing") <= bound &&
      ahead("recovered") <= bound && ahead("framesShown") + ahead("framesLost") <= bound;
  }

  /** The link as `stats` shows it. */
  stats(address: string): PeerLinkStats {
    const report = this.#report;
    return {
      address,
      rttMs: round(report?.rttMs ?? 0),
      lossPercent: round(this.#lossPercent),
      queueDelayMs: round(report?.queueDelayMs ?? 0),
      framesShown: report?.framesShown ?? 0,
      framesLost: report?.framesLost ?? 0,
      resent: this.#resent,
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
