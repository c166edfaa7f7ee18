import type { PeerLinkStats } from "./peer_link.ts";
import type { ResendStats } from "./resend_queue.ts";
import { SENDER_REJECTIONS, type SenderRejection } from "./sender_rejection.ts";

/** The sender's network counters, as `UdpSender.stats` gives them. */
export interface UdpSenderStats {
  /** Frames sent (once per frame, whatever the number of receivers). */
  framesSent: number;
  /** Datagrams sent, to all receivers, resends and parity included. */
  datagramsSent: number;
  /** Bytes sent, to all receivers, UDP payload only, resends and parity included. */
  bytesSent: number;
  /** Datagrams resent on a receiver's request. */
  resentDatagrams: number;
  /** Bytes resent on a receiver's request. */
  resentBytes: number;
  /** Parity datagrams sent. */
  parityDatagrams: number;
  /** Parity bytes sent. */
  parityBytes: number;
  /** NACKs answered. */
  nacks: number;
  /** NACKs ignored: not from a joined receiver with its cookie. */
  nacksRefused: number;
  /** Fragments asked for that were no longer held, or asked for too often. */
  resendsMissed: number;
  /** Resends left out because the receiver's resend budget was spent. */
  resendsSkipped: number;
  /** Sends the operating system refused. */
  sendErrors: number;
  /** Receives that failed (on Windows, ICMP errors from earlier sends). */
  receiveErrors: number;
  /** Datagrams received and dropped, by reason. */
  rejected: Record<SenderRejection, number>;
  /** Receivers now. */
  receivers: number;
  /** Each receiver's link. */
  links: PeerLinkStats[];
}

/** The counters a `UdpSender` keeps itself; the rest of its stats it asks for. */
export type SenderCounters = Omit<UdpSenderStats, keyof ResendStats | "receivers" | "links">;

/** Counters all at 0. */
export function newSenderCounters(): SenderCounters {
  return {
    framesSent: 0,
    datagramsSent: 0,
    bytesSent: 0,
    parityDatagrams: 0,
    parityBytes: 0,
    nacks: 0,
    nacksRefused: 0,
    sendErrors: 0,
    receiveErrors: 0,
    rejected: Object.fromEntries(SENDER_REJECTIONS.map((r) => [r, 0])) as Record<
      SenderRejection,
      number
    >,
  };
}

/** What {@linkcode senderStats} puts together. */
export interface SenderStatsParts {
  /** The socket's own counters. */
  counters: SenderCounters;
  /** What the resend queue counted. */
  resends: ResendStats;
  /** Receivers now. */
  receivers: number;
  /** Each receiver's link. */
  links: PeerLinkStats[];
}

/** A copy of the sender's stats, its fields in the order the log has always shown them. */
export function senderStats(parts: SenderStatsParts): UdpSenderStats {
  const { counters, resends } = parts;
  return {
    framesSent: counters.framesSent,
    datagramsSent: counters.datagramsSent,
    bytesSent: counters.bytesSent,
    resentDatagrams: resends.resentDatagrams,
    resentBytes: resends.resentBytes,
    parityDatagrams: counters.parityDatagrams,
    parityBytes: counters.parityBytes,
    nacks: counters.nacks,
    nacksRefused: counters.nacksRefused,
    resendsMissed: resends.resendsMissed,
    resendsSkipped: resends.resendsSkipped,
    sendErrors: counters.sendErrors,
    receiveErrors: counters.receiveErrors,
    rejected: { ...counters.rejected },
    receivers: parts.receivers,
    links: parts.links,
  };
}
