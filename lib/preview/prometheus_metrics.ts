/**
 * The receiver's measurements in the Prometheus text exposition format,
 * version 0.0.4, as `/metrics` serves them: every family with its HELP and
 * TYPE lines, names prefixed `udpcam_`, base units (seconds, bytes), counters
 * suffixed `_total`, label values escaped.
 *
 * The text is written by hand (`_prometheus_text.ts`): the format is small
 * and fixed, and the receiver already keeps every total, whereas a client
 * library such as prom-client keeps its own counters and would need them set
 * from outside on each scrape.
 *
 * Rates are left to Prometheus: frames per second is
 * `rate(udpcam_receiver_frames_total[1m])`, the bitrate
 * `8 * rate(udpcam_receiver_bytes_total[1m])`, the loss
 * `rate(udpcam_receiver_packets_lost_total[1m])` over the packets' rate. The
 * only gauges are what no counter gives: the link's state, the round-trip
 * time, the queueing delay, the viewers now, and how late the receiver's
 * event loop ran over the last minute.
 *
 * @module
 */
import type { LatencyHistogramSnapshot } from "../metrics/latency_histogram.ts";
import type { LoopLag } from "../metrics/loop_lag_sampler.ts";
import type { HttpServerStats } from "./http_server_options.ts";
import type { PreviewStats } from "./preview_handler.ts";
import { LINK_STATE_LABELS, type LinkState } from "../receive/link_state.ts";
import type { UdpReceiverStats } from "../receive/receiver_stats.ts";
import { formatNumber, formatPrometheus, type MetricFamily } from "./_prometheus_text.ts";

/** The part of the receiver's stats that {@linkcode renderMetrics} reads. */
export type MetricsReceiverStats = Pick<
  UdpReceiverStats,
  | "state"
  | "sealed"
  | "sender"
  | "session"
  | "framesReceived"
  | "framesDropped"
  | "packetsReceived"
  | "bytesReceived"
  | "packetsResent"
  | "packetsMissing"
  | "packetsRecovered"
  | "packetsRebuilt"
  | "packetsLost"
  | "packetsDropped"
  | "rejected"
  | "nacksSent"
  | "resyncs"
  | "rttMs"
  | "queueDelayMs"
>;

/** What {@linkcode renderMetrics} renders. */
export interface MetricsInput {
  /** The receiver's stats, as `UdpReceiver.stats()` returns them. */
  receiver: MetricsReceiverStats;
  /** The latency histogram, as `UdpReceiver.latencyHistogram` returns it. */
  latency: LatencyHistogramSnapshot;
  /** The preview's viewer counters. */
  preview: PreviewStats;
  /** The preview server's connection counters; absent before it listens. */
  http?: HttpServerStats;
  /** The receiver's event-loop lag over the last minute, as `LoopLagMeter.lag` gives it. */
  loopLag: LoopLag;
}

/** Every state, each a series of `udpcam_receiver_state`. */
const LINK_STATES = Object.keys(LINK_STATE_LABELS) as LinkState[];

/** Renders the metrics exposition text for one scrape. */
export function renderMetrics(input: MetricsInput): string {
  return formatPrometheus(families(input));
}

/**
 * A `/metrics` body maker: renders `source()` like {@linkcode renderMetrics}
 * on each call, except that no counter shows less than it showed before. The
 * receiver corrects a few estimates downward (a frame counted lost turns up
 * late, a fragment thought missing was only reordered), and Prometheus would
 * read any fall of a counter as a restart and count it all again; such a
 * counter stays at its highest until the total passes it.
 */
export function monotonicMetrics(source: () => MetricsInput): () => string {
  const highest = new Map<string, number>();
  return () => formatPrometheus(families(source()), highest);
}

/** Every family of one scrape, in the order they are written. */
function families(input: MetricsInput): MetricFamily[] {
  const { receiver: s, latency, preview, http, loopLag } = input;
  const counter = (name: string, help: string, value: number): MetricFamily => ({
    name,
    help,
    type: "counter",
    samples: [{ value }],
  });
  const byReason = (name: string, help: string, counts: Record<string, number>): MetricFamily => ({
    name,
    help,
    type: "counter",
    samples: Object.entries(counts).map(([reason, value]) => ({
      labels: { reason: snakeCase(reason) },
      value,
    })),
  });
  const gauge = (name: string, help: string, value: number | undefined): MetricFamily => ({
    name,
    help,
    type: "gauge",
    samples: value === undefined ? [] : [{ value }],
  });
  return [
    {
      name: "udpcam_receiver_info",
      help: "The sender this receiver joins and its session; always 1.",
      type: "gauge",
      samples: [{
        labels: { sender: s.sender, session: s.session, sealed: String(s.sealed) },
        value: 1,
      }],
    },
    {
      name: "udpcam_receiver_state",
      help: "The link's state: 1 for the state it is in, 0 for the others.",
      type: "gauge",
      samples: LINK_STATES.map((state) => ({
        labels: { state },
        value: state === s.state ? 1 : 0,
      })),
    },
    counter("udpcam_receiver_frames_total", "Frames received whole.", s.framesReceived),
    byReason(
      "udpcam_receiver_frames_dropped_total",
      "Frames never shown, by reason.",
      s.framesDropped,
    ),
    counter(
      "udpcam_receiver_packets_total",
      "DATA and PARITY datagrams of the sender's session received.",
      s.packetsReceived,
    ),
    counter(
      "udpcam_receiver_bytes_total",
      "Bytes of the datagrams in udpcam_receiver_packets_total, headers included.",
      s.bytesReceived,
    ),
    counter(
      "udpcam_receiver_packets_resent_total",
      "DATA datagrams received that the sender marked as resent on request.",
      s.packetsResent,
    ),
    counter(
      "udpcam_receiver_packets_missing_total",
      "Fragments found missing, before any recovery.",
      s.packetsMissing,
    ),
    counter(
      "udpcam_receiver_packets_recovered_total",
      "Missing fragments that came after being asked for again.",
      s.packetsRecovered,
    ),
    counter(
      "udpcam_receiver_packets_rebuilt_total",
      "Missing fragments rebuilt from parity.",
      s.packetsRebuilt,
    ),
    counter(
      "udpcam_receiver_packets_lost_total",
      "Fragments never had, after any recovery; estimated for frames never seen.",
      s.packetsLost,
    ),
    byReason(
      "udpcam_receiver_packets_dropped_total",
      "Fragments received and not used, by reason.",
      s.packetsDropped,
    ),
    byReason(
      "udpcam_receiver_datagrams_rejected_total",
      "Datagrams rejected before reassembly, by reason.",
      s.rejected,
    ),
    counter("udpcam_receiver_nacks_sent_total", "NACKs sent to ask again.", s.nacksSent),
    counter(
      "udpcam_receiver_resyncs_total",
      "Times frame numbering started over after a frame number far ahead turned out wrong.",
      s.resyncs,
    ),
    {
      name: "udpcam_receiver_latency_seconds",
      help: "Latency from capture on the sender to the whole frame here.",
      type: "histogram",
      samples: [
        ...latency.buckets.map((bucket) => ({
          suffix: "_bucket",
          labels: { le: formatNumber(bucket.leMs / 1000) },
          value: bucket.count,
        })),
        { suffix: "_sum", value: latency.sumMs / 1000 },
        { suffix: "_count", value: latency.count },
      ],
    },
    gauge(
      "udpcam_receiver_rtt_seconds",
      "The smoothed round-trip time to the sender; absent until measured.",
      s.rttMs === undefined ? undefined : s.rttMs / 1000,
    ),
    gauge(
      "udpcam_receiver_queue_delay_seconds",
      "How much longer than the least the path now delays datagrams.",
      s.queueDelayMs / 1000,
    ),
    gauge("udpcam_preview_viewers", "Viewers of /stream.mjpg now.", preview.viewers),
    counter(
      "udpcam_preview_frames_served_total",
      "Frames written to viewers, all viewers together.",
      preview.framesServed,
    ),
    counter(
      "udpcam_preview_frames_skipped_total",
      "Frames a slow viewer skipped because a newer one was ready.",
      preview.framesSkipped,
    ),
    counter(
      "udpcam_preview_frames_capped_total",
      "Frames left out for viewers that asked for fewer a second (?fps=N).",
      preview.framesCapped,
    ),
    counter(
      "udpcam_preview_viewers_dropped_total",
      "Viewers of /stream.mjpg dropped for reading nothing for too long.",
      preview.viewersDropped,
    ),
    // The preview server's connections: open now, accepted, closed by it and why, failed accepts.
    ...(http === undefined ? [] : [
      gauge("udpcam_http_connections", "Connections to the preview open now.", http.connections),
      counter(
        "udpcam_http_connections_accepted_total",
        "Connections to the preview accepted.",
        http.accepted,
      ),
      byReason(
        "udpcam_http_connections_closed_total",
        "Connections the preview closed: beyond its cap, no whole request head in time, a stalled write, a malformed head.",
        {
          refused: http.refused,
          timedOut: http.timedOut,
          stalled: http.stalled,
          malformed: http.malformed,
        },
      ),
      counter(
        "udpcam_http_accept_errors_total",
        "Times accepting a connection failed, such as for want of file descriptors.",
        http.acceptErrors,
      ),
    ]),
    gauge(
      "udpcam_event_loop_lag_max_seconds",
      "The most the receiver's event loop ran late over the last minute.",
      loopLag.maxMs / 1000,
    ),
    gauge(
      "udpcam_event_loop_lag_p99_seconds",
      "The 99th percentile of how late the receiver's event loop ran over the last minute.",
      loopLag.p99Ms / 1000,
    ),
  ];
}

/** `wrongKey` as `wrong_key`: label values in the case of metric names. */
function snakeCase(word: string): string {
  return word.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
