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
import {
  formatNumber,
  formatPrometheus,
  type MetricFamily,
  monotonic,
} from "./_prometheus_text.ts";

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

/** One camera of a station, as {@linkcode stationMetrics} renders it. */
export interface CameraMetricsInput extends Pick<MetricsInput, "receiver" | "latency" | "preview"> {
  /** The camera's name, its `camera` label. */
  name: string;
  /** The camera itself, the same object while it stays: its counters never fall while it does. */
  instance: object;
  /** Its latency to the screen, as pages report it. */
  screenLatency: LatencyHistogramSnapshot;
}

/** What {@linkcode stationMetrics} renders: each camera's families, and the receiver's own. */
export interface StationMetricsInput extends Pick<MetricsInput, "http" | "loopLag"> {
  /** The cameras, in order. */
  cameras: CameraMetricsInput[];
}

/**
 * A `/metrics` body maker for a station, monotonic as
 * {@linkcode monotonicMetrics}: every camera's series labelled
 * `camera="NAME"` within the same families, then the receiver's own (HTTP,
 * event loop) once. A camera that leaves takes its series with it.
 */
export function stationMetrics(source: () => StationMetricsInput): () => string {
  const highest = new Map<string, number>();
  // Each camera's own: a camera that leaves and comes back under its name starts again from 0.
  const cameraHighest = new WeakMap<object, Map<string, number>>();
  return () => {
    const input = source();
    const merged = new Map<string, MetricFamily>();
    for (const camera of input.cameras) {
      let kept = cameraHighest.get(camera.instance);
      if (kept === undefined) cameraHighest.set(camera.instance, kept = new Map());
      const own = monotonic(
        [...cameraFamilies(camera), screenLatencyFamily(camera.screenLatency)],
        kept,
      );
      for (const family of own) {
        const labelled = family.samples.map((sample) => ({
          ...sample,
          labels: { camera: camera.name, ...sample.labels },
        }));
        const same = merged.get(family.name);
        if (same === undefined) merged.set(family.name, { ...family, samples: labelled });
        else same.samples.push(...labelled);
      }
    }
    if (input.cameras.length === 0) {
      for (const family of cameraFamilies(undefined)) merged.set(family.name, family);
      const screen = screenLatencyFamily(undefined);
      merged.set(screen.name, screen);
    }
    return formatPrometheus([...merged.values(), ...monotonic(processFamilies(input), highest)]);
  };
}

/** The family of the latency to the screen; with no histogram, its HELP and TYPE alone. */
function screenLatencyFamily(latency: LatencyHistogramSnapshot | undefined): MetricFamily {
  return {
    name: "udpcam_screen_latency_seconds",
    help:
      "Latency from capture on the sender to the frame painted in a viewer's page, as pages report it.",
    type: "histogram",
    samples: latency === undefined ? [] : histogramSamples(latency),
  };
}

function histogramSamples(latency: LatencyHistogramSnapshot) {
  return [
    ...latency.buckets.map((bucket) => ({
      suffix: "_bucket",
      labels: { le: formatNumber(bucket.leMs / 1000) },
      value: bucket.count,
    })),
    { suffix: "_sum", value: latency.sumMs / 1000 },
    { suffix: "_count", value: latency.count },
  ];
}

/** Every family of one scrape, in the order they are written. */
function families(input: MetricsInput): MetricFamily[] {
  return [...cameraFamilies(input), ...processFamilies(input)];
}

/**
 * The families of one camera's link and viewers; with none (a station with
 * no camera yet), each with its HELP and TYPE lines alone.
 */
function cameraFamilies(
  input: Pick<MetricsInput, "receiver" | "latency" | "preview"> | undefined,
): MetricFamily[] {
  if (input === undefined) {
    return cameraFamilies({
      receiver: EMPTY_RECEIVER,
      latency: { buckets: [], count: 0, sumMs: 0 },
      preview: {
        viewers: 0,
        framesServed: 0,
        framesSkipped: 0,
        framesCapped: 0,
        viewersDropped: 0,
      },
    }).map((family) => ({ ...family, samples: [] }));
  }
  const { receiver: s, latency, preview } = input;
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
      samples: histogramSamples(latency),
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
  ];
}

/** The families of the receiver as a whole: its HTTP server and its event loop. */
function processFamilies(input: Pick<MetricsInput, "http" | "loopLag">): MetricFamily[] {
  const { http, loopLag } = input;
  return [
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

function counter(name: string, help: string, value: number): MetricFamily {
  return { name, help, type: "counter", samples: [{ value }] };
}

function byReason(name: string, help: string, counts: Record<string, number>): MetricFamily {
  return {
    name,
    help,
    type: "counter",
    samples: Object.entries(counts).map(([reason, value]) => ({
      labels: { reason: snakeCase(reason) },
      value,
    })),
  };
}

function gauge(name: string, help: string, value: number | undefined): MetricFamily {
  return { name, help, type: "gauge", samples: value === undefined ? [] : [{ value }] };
}

/** A receiver that has counted nothing: the families' shape with no camera. */
const EMPTY_RECEIVER: MetricsReceiverStats = {
  state: "connecting",
  sealed: false,
  sender: "",
  session: "",
  framesReceived: 0,
  framesDropped: {} as MetricsReceiverStats["framesDropped"],
  packetsReceived: 0,
  bytesReceived: 0,
  packetsResent: 0,
  packetsMissing: 0,
  packetsRecovered: 0,
  packetsRebuilt: 0,
  packetsLost: 0,
  packetsDropped: {} as MetricsReceiverStats["packetsDropped"],
  rejected: {} as MetricsReceiverStats["rejected"],
  nacksSent: 0,
  resyncs: 0,
  rttMs: undefined,
  queueDelayMs: 0,
};

/** `wrongKey` as `wrong_key`: label values in the case of metric names. */
function snakeCase(word: string): string {
  return word.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
