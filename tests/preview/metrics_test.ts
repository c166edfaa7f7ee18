import assert from "node:assert/strict";
import type { ReceivedFrame } from "../../lib/hub/frame.ts";
import { LatencyHistogram } from "../../lib/metrics/latency_histogram.ts";
import { LatestValue } from "../../lib/hub/latest_value.ts";
import { decodePacket, PacketType } from "../../lib/wire/mod.ts";
import { createPreviewHandler } from "../../lib/preview/preview_handler.ts";
import {
  type MetricsInput,
  type MetricsReceiverStats,
  monotonicMetrics,
  renderMetrics,
  stationMetrics,
} from "../../lib/preview/prometheus_metrics.ts";
import type { LinkState } from "../../lib/receive/link_state.ts";
import { UdpReceiver } from "../../lib/receive/udp_receiver.ts";
import { UdpSender } from "../../lib/send/udp_sender.ts";
import { withTimeout } from "../../lib/util/with_timeout.ts";
import { parsePrometheus, type PromFamily } from "../_prometheus.ts";
import { ToolProcess } from "../_tool.ts";

/** Receiver stats with a different value in every field. */
function knownStats(): MetricsReceiverStats {
  return {
    state: "stalled",
    sealed: true,
    sender: "192.0.2.7:5000",
    session: "0badcafe",
    framesReceived: 1001,
    framesDropped: { late: 11, superseded: 12, evicted: 13, lost: 14, oversize: 15 },
    packetsReceived: 20_002,
    bytesReceived: 23_456_789,
    packetsResent: 31,
    packetsMissing: 41,
    packetsRecovered: 32,
    packetsRebuilt: 5,
    packetsLost: 4,
    packetsDropped: {
      duplicate: 51,
      late: 52,
      inconsistent: 53,
      oversize: 54,
      throttled: 56,
      wrongSession: 55,
    },
    rejected: {
      short: 61,
      foreign: 62,
      version: 63,
      type: 64,
      malformed: 65,
      wrongKey: 66,
      unsealed: 67,
      sealed: 68,
      replayed: 69,
      stale: 70,
      wrongSender: 71,
    },
    nacksSent: 81,
    resyncs: 2,
    rttMs: 12.5,
    queueDelayMs: 3.25,
  };
}

function knownInput(): MetricsInput {
  const histogram = new LatencyHistogram();
  for (const ms of [1, 4, 30, 30, 180, 9000]) histogram.observe(ms);
  return {
    receiver: knownStats(),
    latency: histogram.snapshot(),
    preview: {
      viewers: 3,
      framesServed: 91,
      framesSkipped: 92,
      framesCapped: 93,
      viewersDropped: 94,
    },
    http: {
      connections: 5,
      accepted: 101,
      refused: 102,
      timedOut: 103,
      stalled: 104,
      malformed: 105,
      acceptErrors: 106,
    },
    loopLag: { maxMs: 17.5, p99Ms: 2.25 },
  };
}

/** The value of the one sample named `name` whose labels include `labels`. */
function value(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = [...families.values()].flatMap((f) => f.samples).filter((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches one sample at most`);
  return found[0]?.value;
}

/** Prometheus' naming conventions, as https://prometheus.io/docs/practices/naming/ gives them. */
function assertConventions(families: Map<string, PromFamily>): void {
  for (const family of families.values()) {
    assert.match(family.name, /^udpcam_/, "the application's prefix");
    assert.ok(family.help.length > 0, `${family.name} has a HELP text`);
    assert.equal(family.type === "counter", family.name.endsWith("_total"), family.name);
    assert.doesNotMatch(
      family.name,
      /_(ms|milliseconds|micros|kb|mb|bits|mbps|percent)(_|$)/,
      `${family.name} is in base units`,
    );
  }
}

/** How a text exposition looks after one sample line is replaced. */
function exposition(...lines: string[]): string {
  return lines.join("\n") + "\n";
}

const GOOD = [
  "# HELP a_total A.",
  "# TYPE a_total counter",
  'a_total{x="1"} 2',
  "# HELP h_seconds H.",
  "# TYPE h_seconds histogram",
  'h_seconds_bucket{le="0.1"} 1',
  'h_seconds_bucket{le="+Inf"} 3',
  "h_seconds_sum 0.4",
  "h_seconds_count 3",
];

Deno.test("parsePrometheus() reads families, labels and values", () => {
  const families = parsePrometheus(
    exposition(
      ...GOOD,
      "# a comment",
      "# HELP g G\\\\n.",
      "# TYPE g gauge",
      'g{a="\\"",b=""} -1.5e3',
    ),
  );
  assert.deepEqual([...families.keys()], ["a_total", "h_seconds", "g"]);
  assert.deepEqual(families.get("g"), {
    name: "g",
    help: "G\\n.",
    type: "gauge",
    samples: [{ name: "g", labels: { a: '"', b: "" }, value: -1500 }],
  });
  assert.equal(value(families, "h_seconds_bucket", { le: "+Inf" }), 3);
});

Deno.test("parsePrometheus() rejects what breaks the format or its rules", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["no final newline", GOOD.join("\n"), /newline/],
    ["a sample before its TYPE", exposition("# HELP b B.", "b 1", "# TYPE b gauge"), /before/],
    ["a sample with no HELP", exposition("# TYPE b gauge", "b 1"), /no HELP/],
    ["a bad name", exposition("# HELP 1b B.", "# TYPE 1b gauge", "1b 1"), /bad metric name/],
    ["a duplicate series", exposition(...GOOD.slice(0, 3), 'a_total{x="1"} 3'), /duplicate/],
    [
      "a family in two places",
      exposition(...GOOD, 'a_total{x="2"} 3'),
      /two places/,
    ],
    ["a bad escape", exposition(...GOOD.slice(0, 2), 'a_total{x="\\t"} 2'), /bad escape/],
    ["an unterminated value", exposition(...GOOD.slice(0, 2), 'a_total{x="1} 2'), /unterminated/],
    ["a bad value", exposition(...GOOD.slice(0, 2), "a_total 2x"), /bad value/],
    ["a negative counter", exposition(...GOOD.slice(0, 2), "a_total -1"), /counter/],
    ["a second TYPE", exposition(...GOOD.slice(0, 2), "# TYPE a_total counter"), /second TYPE/],
    ["an unknown type", exposition("# HELP b B.", "# TYPE b meter"), /unknown type/],
    ["le outside buckets", exposition(...GOOD.slice(0, 2), 'a_total{le="1"} 2'), /"le"/],
  ];
  const histogram = (buckets: string[], count = 3) =>
    exposition(
      "# HELP h H.",
      "# TYPE h histogram",
      ...buckets.map((b) => `h_bucket{le="${b.split(" ")[0]}"} ${b.split(" ")[1]}`),
      "h_sum 1",
      `h_count ${count}`,
    );
  cases.push(
    ["buckets not cumulative", histogram(["0.1 2", "0.2 1", "+Inf 3"]), /cumulative/],
    ["le not ascending", histogram(["0.2 1", "0.1 2", "+Inf 3"]), /ascending/],
    ["no +Inf bucket", histogram(["0.1 1", "0.2 3"]), /\+Inf/],
    ["+Inf not _count", histogram(["0.1 1", "+Inf 3"], 4), /_count/],
  );
  for (const [what, text, error] of cases) {
    assert.throws(() => parsePrometheus(text), error, what);
  }
});

Deno.test("renderMetrics() output parses and follows Prometheus naming", () => {
  const families = parsePrometheus(renderMetrics(knownInput()));
  assertConventions(families);
  assert.equal(families.get("udpcam_receiver_latency_seconds")?.type, "histogram");
  assert.equal(families.get("udpcam_preview_viewers")?.type, "gauge");
  assert.equal(families.get("udpcam_receiver_state")?.type, "gauge");
});

Deno.test("renderMetrics() puts each of the receiver's values where it belongs", () => {
  const input = knownInput();
  const s = input.receiver as MetricsReceiverStats;
  const families = parsePrometheus(renderMetrics(input));
  const expected: Array<[string, Record<string, string>, number]> = [
    ["udpcam_receiver_frames_total", {}, s.framesReceived],
    ["udpcam_receiver_packets_total", {}, s.packetsReceived],
    ["udpcam_receiver_bytes_total", {}, s.bytesReceived],
    ["udpcam_receiver_packets_resent_total", {}, s.packetsResent],
    ["udpcam_receiver_packets_missing_total", {}, s.packetsMissing],
    ["udpcam_receiver_packets_recovered_total", {}, s.packetsRecovered],
    ["udpcam_receiver_packets_rebuilt_total", {}, s.packetsRebuilt],
    ["udpcam_receiver_packets_lost_total", {}, s.packetsLost],
    ["udpcam_receiver_nacks_sent_total", {}, s.nacksSent],
    ["udpcam_receiver_resyncs_total", {}, s.resyncs],
    ["udpcam_receiver_rtt_seconds", {}, 0.0125],
    ["udpcam_receiver_queue_delay_seconds", {}, 0.00325],
    ["udpcam_preview_viewers", {}, 3],
    ["udpcam_preview_frames_served_total", {}, 91],
    ["udpcam_preview_frames_skipped_total", {}, 92],
    ["udpcam_preview_frames_capped_total", {}, 93],
    ["udpcam_preview_viewers_dropped_total", {}, 94],
    ["udpcam_http_connections", {}, 5],
    ["udpcam_http_connections_accepted_total", {}, 101],
    ["udpcam_http_connections_closed_total", { reason: "refused" }, 102],
    ["udpcam_http_connections_closed_total", { reason: "timed_out" }, 103],
    ["udpcam_http_connections_closed_total", { reason: "stalled" }, 104],
    ["udpcam_http_connections_closed_total", { reason: "malformed" }, 105],
    ["udpcam_http_accept_errors_total", {}, 106],
    ["udpcam_event_loop_lag_max_seconds", {}, 0.0175],
    ["udpcam_event_loop_lag_p99_seconds", {}, 0.00225],
    ["udpcam_receiver_info", { sender: s.sender, session: s.session, sealed: "true" }, 1],
    ["udpcam_receiver_packets_dropped_total", { reason: "wrong_session" }, 55],
    ["udpcam_receiver_datagrams_rejected_total", { reason: "wrong_key" }, 66],
    ["udpcam_receiver_datagrams_rejected_total", { reason: "wrong_sender" }, 71],
  ];
  for (const [reason, n] of Object.entries(s.framesDropped)) {
    expected.push(["udpcam_receiver_frames_dropped_total", { reason }, n]);
  }
  for (const [name, labels, n] of expected) {
    assert.equal(value(families, name, labels), n, `${name} ${JSON.stringify(labels)}`);
  }
  for (
    const [family, counts] of [
      ["udpcam_receiver_frames_dropped_total", s.framesDropped],
      ["udpcam_receiver_packets_dropped_total", s.packetsDropped],
      ["udpcam_receiver_datagrams_rejected_total", s.rejected],
    ] as const
  ) {
    const samples = families.get(family)!.samples;
    assert.equal(samples.length, Object.keys(counts).length, `${family}: one series a reason`);
    const total = samples.reduce((sum, sample) => sum + sample.value, 0);
    assert.equal(total, Object.values(counts).reduce((a: number, b: number) => a + b, 0));
    for (const sample of samples) assert.match(sample.labels.reason, /^[a-z_]+$/);
  }
});

Deno.test("renderMetrics() renders the latency histogram in seconds, bucket by bucket", () => {
  const input = knownInput();
  const families = parsePrometheus(renderMetrics(input));
  const samples = families.get("udpcam_receiver_latency_seconds")!.samples;
  const buckets = samples.filter((s) => s.name.endsWith("_bucket"));
  assert.deepEqual(
    buckets.map((b) => [Number(b.labels.le.replace("+Inf", "Infinity")), b.value]),
    input.latency.buckets.map((b) => [b.leMs / 1000, b.count]),
  );
  assert.equal(buckets[0].labels.le, "0.002");
  assert.equal(buckets.at(-2)!.labels.le, "2.5");
  assert.equal(buckets.at(-1)!.labels.le, "+Inf");
  // Samples: 1, 4, 30, 30, 180 and 9000 ms.
  assert.equal(value(families, "udpcam_receiver_latency_seconds_bucket", { le: "0.002" }), 1);
  assert.equal(value(families, "udpcam_receiver_latency_seconds_bucket", { le: "0.035" }), 4);
  assert.equal(value(families, "udpcam_receiver_latency_seconds_bucket", { le: "2.5" }), 5);
  assert.equal(value(families, "udpcam_receiver_latency_seconds_count"), 6);
  assert.ok(Math.abs(value(families, "udpcam_receiver_latency_seconds_sum")! - 9.245) < 1e-9);
});

Deno.test("renderMetrics() gives 1 to the receiver's state and 0 to every other", () => {
  const states: LinkState[] = ["connecting", "live", "stalled", "waiting", "refused"];
  for (const state of states) {
    const input = knownInput();
    input.receiver = { ...input.receiver, state };
    const families = parsePrometheus(renderMetrics(input));
    const samples = families.get("udpcam_receiver_state")!.samples;
    assert.deepEqual(
      samples.map((s) => [s.labels.state, s.value]),
      states.map((other) => [other, other === state ? 1 : 0]),
    );
  }
});

Deno.test("renderMetrics() escapes label values so that they read back the same", () => {
  const input = knownInput();
  const sender = 'a\\b"c\nd\\\\"\n';
  input.receiver = { ...input.receiver, sender };
  const text = renderMetrics(input);
  assert.equal(
    text.split("\n").filter((line) => line.startsWith("udpcam_receiver_info")).length,
    1,
  );
  const families = parsePrometheus(text);
  assert.equal(families.get("udpcam_receiver_info")!.samples[0].labels.sender, sender);
});

Deno.test("renderMetrics() leaves the round-trip time out until it is measured", () => {
  const input = knownInput();
  input.receiver = { ...input.receiver, rttMs: undefined };
  const families = parsePrometheus(renderMetrics(input));
  assert.deepEqual(families.get("udpcam_receiver_rtt_seconds")?.samples, []);
});

Deno.test("monotonicMetrics() keeps a counter that falls at its highest, and gauges as they are", () => {
  const input = knownInput();
  const render = monotonicMetrics(() => input);
  const read = () => {
    const families = parsePrometheus(render());
    return [
      value(families, "udpcam_receiver_frames_dropped_total", { reason: "lost" }),
      value(families, "udpcam_receiver_packets_lost_total"),
      value(families, "udpcam_preview_viewers"),
    ];
  };
  assert.deepEqual(read(), [14, 4, 3]);
  // A frame counted lost turns up late; a viewer leaves.
  input.receiver.framesDropped.lost = 13;
  input.receiver.packetsLost = 2;
  input.preview.viewers = 1;
  assert.deepEqual(read(), [14, 4, 1]);
  input.receiver.framesDropped.lost = 16;
  input.receiver.packetsLost = 9;
  assert.deepEqual(read(), [16, 9, 1]);
  assert.equal(
    value(parsePrometheus(renderMetrics(input)), "udpcam_receiver_packets_lost_total"),
    9,
    "renderMetrics() alone shows the value given",
  );
});

Deno.test("the preview serves /metrics as Prometheus text, never cached, and 404 without it", async () => {
  const frames = new LatestValue<ReceivedFrame>();
  let scrapes = 0;
  const handler = createPreviewHandler({
    frames,
    stats: () => ({}),
    metrics: () => `# scrape ${++scrapes}\n`,
  });
  const response = handler(new Request("http://127.0.0.1/metrics"));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.equal(await response.text(), "# scrape 1\n");
  const head = handler(new Request("http://127.0.0.1/metrics", { method: "HEAD" }));
  assert.equal(head.status, 200);
  assert.equal(head.body, null);

  const without = createPreviewHandler({ frames, stats: () => ({}) });
  const missing = without(new Request("http://127.0.0.1/metrics"));
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

/** A JPEG-shaped frame: SOI, a SOF0 header with the size, `length` bytes in all, EOI. */
function jpegOf(length: number, width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(length).fill(7);
  bytes.set([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff]);
  bytes.set([width >> 8, width & 0xff, 3], 9);
  bytes.set([0xff, 0xd9], length - 2);
  return bytes;
}

function bind(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
}

Deno.test("UdpReceiver counts the bytes of its datagrams and the resent ones among them", async () => {
  // sender <-> relay <-> receiver; the relay drops one fragment's first send.
  const relay = bind();
  const sender = new UdpSender({ socket: bind(), paceBitsPerSecond: 50e6 });
  const receiver = new UdpReceiver({ socket: bind(), sender: relay.addr as Deno.NetAddr });
  const forwarded = { datagrams: 0, bytes: 0, resent: 0, dropped: 0 };
  const relaying = (async () => {
    const buffer = new Uint8Array(65_536);
    for (;;) {
      let datagram: Uint8Array, from: Deno.NetAddr;
      try {
        const [bytes, addr] = await relay.receive(buffer);
        datagram = bytes.slice();
        from = addr as Deno.NetAddr;
      } catch {
        return;
      }
      if (from.port === receiver.addr.port) {
        await relay.send(datagram, sender.addr).catch(() => {});
        continue;
      }
      const decoded = decodePacket(datagram);
      if (decoded.ok && decoded.packet.type === PacketType.DATA) {
        if (decoded.packet.index === 5 && !decoded.packet.resent && forwarded.dropped === 0) {
          forwarded.dropped++;
          continue;
        }
        forwarded.datagrams++;
        forwarded.bytes += datagram.length;
        if (decoded.packet.resent) forwarded.resent++;
      }
      await relay.send(datagram, receiver.addr).catch(() => {});
    }
  })();
  try {
    const deadline = Date.now() + 5000;
    while (sender.receivers === 0) {
      assert.ok(Date.now() < deadline, "the receiver joined");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const received = receiver.frames.next(0);
    await sender.send({
      data: jpegOf(40_000, 640, 480),
      captureTime: performance.timeOrigin + performance.now(),
    });
    assert.equal((await withTimeout(received, 5000))?.value.width, 640);
    // Let a second copy of the resend, if any, arrive.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stats = receiver.stats();
    assert.equal(forwarded.dropped, 1);
    assert.ok(forwarded.resent >= 1, "the dropped fragment was resent");
    assert.equal(stats.packetsReceived, forwarded.datagrams);
    assert.equal(stats.bytesReceived, forwarded.bytes);
    assert.equal(stats.packetsResent, forwarded.resent);
    assert.ok(stats.packetsRecovered >= 1);
    const histogram = receiver.latencyHistogram;
    assert.equal(histogram.count, 1, "the frame's latency was observed");
    assert.ok(histogram.sumMs >= 0 && histogram.sumMs < 5000, `${histogram.sumMs} ms`);
  } finally {
    await receiver.close();
    await sender.close();
    relay.close();
    await relaying;
  }
});

Deno.test("a receiver's /metrics grows with the stream and counts a viewer", async () => {
  const sender = new ToolProcess("sender", [
    "--source",
    "test",
    "--fps",
    "10",
    "--listen",
    "127.0.0.1:0",
  ]);
  let receiver: ToolProcess | undefined;
  let viewer: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const listening = await sender.waitFor("listening");
    const port = String(listening.address).split(":").at(-1);
    receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
    const url = String((await receiver.waitFor("listening")).url);
    await receiver.waitFor("state", (e) => e.to === "live");
    const scrape = async () => {
      const response = await fetch(`${url}metrics`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
      const families = parsePrometheus(await response.text());
      assertConventions(families);
      return families;
    };
    const first = await scrape();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stream = await fetch(`${url}stream.mjpg`);
    viewer = stream.body!.getReader();
    await viewer.read();
    const second = await scrape();

    const frames = (f: Map<string, PromFamily>) => value(f, "udpcam_receiver_frames_total")!;
    assert.ok(frames(first) > 0, "frames before");
    assert.ok(
      frames(second) >= frames(first) + 3,
      `${frames(first)} -> ${frames(second)} at 10 fps`,
    );
    assert.equal(value(second, "udpcam_receiver_state", { state: "live" }), 1);
    assert.equal(value(second, "udpcam_receiver_state", { state: "stalled" }), 0);
    const latencyCount = value(second, "udpcam_receiver_latency_seconds_count")!;
    assert.ok(latencyCount >= frames(first), `${latencyCount} latency samples`);
    const packets = value(second, "udpcam_receiver_packets_total")!;
    assert.ok(packets >= frames(second), `${packets} packets`);
    const bytes = [first, second].map((f) => value(f, "udpcam_receiver_bytes_total")!);
    assert.ok(bytes[1] > bytes[0], `bytes ${bytes[0]} -> ${bytes[1]}`);
    const rtt = value(second, "udpcam_receiver_rtt_seconds");
    assert.ok(rtt !== undefined && rtt >= 0, `rtt ${rtt}`);
    const lagMax = value(second, "udpcam_event_loop_lag_max_seconds");
    const lagP99 = value(second, "udpcam_event_loop_lag_p99_seconds");
    assert.ok(lagMax !== undefined && lagP99 !== undefined, "the loop lag gauges");
    assert.ok(lagMax > 0 && lagP99 <= lagMax, `loop lag max ${lagMax} s, p99 ${lagP99} s`);
    // The viewer's stream and this scrape, at least, through the preview's own server.
    const open = value(second, "udpcam_http_connections")!;
    assert.ok(open >= 2, `${open} connections open`);
    assert.ok(value(second, "udpcam_http_connections_accepted_total")! >= open);
    assert.equal(value(first, "udpcam_preview_viewers"), 0);
    assert.equal(value(second, "udpcam_preview_viewers"), 1);
    assert.equal(
      second.get("udpcam_receiver_info")!.samples[0].labels.sender,
      `127.0.0.1:${port}`,
    );
  } finally {
    await viewer?.cancel();
    await receiver?.stop();
    await sender.stop();
  }
});

Deno.test("a station's /metrics: each camera's series labelled camera=NAME in one family, the receiver's own once", () => {
  const screen = new LatencyHistogram();
  for (const ms of [40, 60]) screen.observe(ms);
  const instances = new Map<string, object>();
  const camera = (name: string, frames: number) => ({
    name,
    instance: instances.get(name) ?? instances.set(name, {}).get(name)!,
    receiver: { ...knownStats(), framesReceived: frames, sender: `${name}.lan:8080` },
    latency: knownInput().latency,
    preview: knownInput().preview,
    screenLatency: screen.snapshot(),
  });
  let cameras = [camera("front", 10), camera("back", 20)];
  const render = stationMetrics(() => ({
    cameras,
    http: knownInput().http,
    loopLag: knownInput().loopLag,
  }));
  const families = parsePrometheus(render());
  assertConventions(families);
  assert.equal(value(families, "udpcam_receiver_frames_total", { camera: "front" }), 10);
  assert.equal(value(families, "udpcam_receiver_frames_total", { camera: "back" }), 20);
  assert.equal(
    value(families, "udpcam_receiver_info", { camera: "back" }) !== undefined &&
      families.get("udpcam_receiver_info")!.samples[1].labels.sender,
    "back.lan:8080",
  );
  assert.equal(value(families, "udpcam_screen_latency_seconds_count", { camera: "front" }), 2);
  assert.equal(value(families, "udpcam_screen_latency_seconds_sum", { camera: "back" }), 0.1);
  assert.equal(value(families, "udpcam_receiver_state", { camera: "back", state: "stalled" }), 1);
  // The receiver's own series carry no camera, and come once.
  assert.equal(families.get("udpcam_http_connections")!.samples.length, 1);
  assert.deepEqual(families.get("udpcam_event_loop_lag_max_seconds")!.samples[0].labels, {});
  // A camera gone takes its series; a camera come back starts from its own counts.
  cameras = [camera("front", 11)];
  const after = parsePrometheus(render());
  assert.equal(value(after, "udpcam_receiver_frames_total", { camera: "back" }), undefined);
  instances.delete("back");
  cameras = [camera("front", 12), camera("back", 3)];
  const frames = (name: string) =>
    value(parsePrometheus(render()), "udpcam_receiver_frames_total", { camera: name });
  assert.equal(frames("back"), 3);
  // Gone and back between two scrapes: its own counts, not the old camera's highest.
  instances.delete("back");
  cameras = [camera("front", 13), camera("back", 1)];
  assert.equal(frames("back"), 1);
  // While it stays, a count corrected downward does not fall.
  cameras = [camera("front", 5), camera("back", 2)];
  assert.equal(frames("front"), 13);
  // With no camera, every family is still declared.
  cameras = [];
  const none = parsePrometheus(render());
  assert.equal(none.get("udpcam_receiver_frames_total")!.samples.length, 0);
  assert.equal(none.get("udpcam_screen_latency_seconds")!.type, "histogram");
});
