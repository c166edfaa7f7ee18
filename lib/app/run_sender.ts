import { Adaptation } from "../adapt/adaptation.ts";
import { wallClock } from "../util/clock.ts";
import { jpegDimensions } from "../image/jpeg_dimensions.ts";
import { buildLadder } from "../adapt/rate_ladder.ts";
import { SourceError } from "../ffmpeg/source_error.ts";
import { type FfmpegBuild, FfmpegTooOldError } from "../ffmpeg/ffmpeg_build.ts";
import type { Frame } from "../hub/frame.ts";
import type { FrameSource } from "../capture/frame_source.ts";
import { formatSession } from "../wire/format_session.ts";
import { formatHostPort, isLoopbackHost } from "../cli/host_port.ts";
import { LatestValue } from "../hub/latest_value.ts";
import { Logger } from "../cli/logger.ts";
import { RateMeter } from "../metrics/rate_meter.ts";
import type { SenderArgs } from "./sender_args.ts";
import { formatSourceSpec } from "../capture/source_spec.ts";
import { senderStatusText } from "./sender_status.ts";
import { StatusLine } from "../cli/status_line.ts";
import { TestPatternSource } from "../capture/test_pattern.ts";
import { loopLagReport } from "../metrics/loop_lag_meter.ts";
import { type PreparedStart, prepareStart } from "./prepare_start.ts";
import { StreamSecret } from "../seal/stream_secret.ts";
import { UdpSender } from "../send/udp_sender.ts";
import { KEY_ENV } from "../seal/key_flags.ts";
import { RejectionTally } from "../send/rejection_tally.ts";
import { applyRung, openSource, openTestPattern, overlayFilter } from "./sender_source.ts";
import { logAdaptation, logRegistryEvent, logSourceEvent, REJECTION_TEXT } from "./sender_log.ts";

/**
 * How old the newest frame may be, in ms, and still go to a receiver that
 * joins with no other: any source of 1 fps or more, not one that stalled.
 */
const RESEND_ON_JOIN_MS = 2000;

/**
 * Runs the sender until `signal` aborts or a finite source ends: binds the
 * socket, starts the source, and sends the newest frame to every receiver.
 * Throws on a busy address, a missing ffmpeg or a source that cannot start.
 */
export async function runSender(args: SenderArgs, signal: AbortSignal): Promise<void> {
  // Starting the test pattern's worker holds this thread up: done before the
  // socket exists, and its loading waited for (see prepareStart).
  const testPattern = args.spec.kind === "test" ? openTestPattern(args) : undefined;
  let prepared: PreparedStart | undefined;
  try {
    prepared = await prepareStart(testPattern?.ready(), args, {
      stretch: (key) => key.stretch(StreamSecret.salt()),
    });
    await send(args, signal, prepared, testPattern);
  } finally {
    prepared?.loopLag.close();
    await testPattern?.close();
  }
}

async function send(
  args: SenderArgs,
  signal: AbortSignal,
  prepared: PreparedStart,
  testPattern: TestPatternSource | undefined,
): Promise<void> {
  const logger = new Logger({ format: args.log });
  const status = new StatusLine();
  logger.beforeWrite = () => status.clear();
  const { key, secret, loopLag } = prepared;
  if (key?.warning !== undefined) {
    logger.warn(key.warning);
  }
  const tally = new RejectionTally();

  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: args.listen.hostname,
    port: args.listen.port,
  });
  let source: FrameSource | undefined;
  let build: () => FfmpegBuild | undefined = () => undefined;
  let baseWidth: number | undefined;
  const overlay = overlayFilter(args);
  const adaptation = args.adapt
    ? new Adaptation({
      ladder: buildLadder({ quality: args.quality, reencode: !args.copy }),
      onChange: (change) => {
        logAdaptation(logger, change);
        if (change.type === "shared" && source !== undefined && baseWidth !== undefined) {
          applyRung(source, args, { rung: change.to, baseWidth, overlay, build: build() })
            .catch(() => {});
        }
      },
    })
    : undefined;
  const udp = new UdpSender({
    socket,
    mtu: args.mtu,
    paceBitsPerSecond: args.paceMbps * 1e6,
    spreadMs: args.spreadMs,
    fecGroup: args.fec,
    maxReceivers: args.maxReceivers,
    info: { name: args.name, startedAt: wallClock() },
    onEvent: (event) => {
      if (event.type === "receiver_left") adaptation?.remove(event.address);
      // The first receiver gets the frame made before it joined at once, as
      // an MJPEG server gives a new viewer: no wait for the next one, which
      // a slow source makes up to a second away, and no first frame of a
      // stream started with the receiver missed because it joined a moment late.
      if (event.type === "receiver_joined" && event.receivers === 1) {
        const latest = frames.latest?.value;
        if (latest !== undefined && wallClock() - latest.captureTime <= RESEND_ON_JOIN_MS) {
          frames.publish(latest);
        }
      }
      logRegistryEvent(logger, event);
    },
    onLinkReport: (receiver, report, now) => adaptation?.update(receiver, report, now),
    secret,
    onRejected: (address, reason) => {
      const line = tally.add(address, REJECTION_TEXT[reason], performance.now());
      if (line !== undefined) {
        logger.event("rejected", line.message, { address, reason: REJECTION_TEXT[reason] });
      }
    },
    fpsScale: (receiver) => adaptation?.rungFor(receiver).fpsScale ?? 1,
  });
  const frames = new LatestValue<Frame>();
  const rate = new RateMeter(2000);
  let skipped = 0;
  let started = false;
  const announce = () => {
    started = true;
    const address = formatHostPort({ hostname: args.listen.hostname, port: udp.addr.port });
    const source = formatSourceSpec(args.spec); // with any URL password hidden
    const fec = args.fec > 0 ? `, FEC 1 per ${args.fec} (+${(100 / args.fec).toFixed(0)} %)` : "";
    logger.event(
      "listening",
      `udpcam sender: ${source} on udp://${address}, session ${
        formatSession(udp.session)
      }${fec}; ` +
        `receivers connect with: receiver HOST:${udp.addr.port}`,
      {
        address,
        session: formatSession(udp.session),
        source,
        fec: args.fec,
        adapt: args.adapt,
        sealed: udp.sealed,
      },
    );
    if (key !== undefined) {
      logger.event("sealed", `every datagram is sealed with the key from ${key.from}`, {
        from: key.from,
      });
    } else if (!isLoopbackHost(args.listen.hostname)) {
      const message = `no key: anyone who can reach udp://${address} can watch this stream; ` +
        `give both sides the same --key (or --key-file, ${KEY_ENV})`;
      logger.warn(message);
    }
  };
  let ticks = 0;
  const statusTimer = setInterval(() => {
    const summary = tally.flush(performance.now());
    if (summary !== undefined) {
      const { type: _, message, ...fields } = summary;
      logger.event("rejected_summary", message, fields);
    }
    const { perSecond, bitsPerSecond } = rate.rate(wallClock());
    const stats = udp.stats;
    const rung = adaptation?.shared;
    const lag = loopLag.lag;
    status.update(senderStatusText({
      fps: perSecond,
      mbps: (bitsPerSecond * udp.receivers) / 1e6,
      stats,
      rung,
      skipped,
      loopLagMs: lag.maxMs,
    }));
    // A log read by a program gets the same, every 5 s.
    if (logger.format === "json" && ++ticks % 5 === 0) {
      logger.event("stats", "", {
        fps: perSecond,
        skipped,
        quality: rung?.quality,
        stats,
        eventLoopLagMs: loopLagReport(lag),
      });
    }
  }, 1000);
  const onAbort = () => {
    frames.close();
    source?.close();
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    let failure: string | undefined;
    ({ source, build } = await openSource(args, overlay, testPattern, (event) => {
      if (event.type === "source_failed") failure = event.error;
      if (event.type === "source_restarting") failure = undefined;
      logSourceEvent(logger, event);
    }));
    if (signal.aborted) return;
    const sending = (async () => {
      let seq = 0;
      for (;;) {
        const next = await frames.next(seq);
        if (next === undefined) return;
        if (seq > 0 && udp.receivers > 0) skipped += next.seq - seq - 1;
        seq = next.seq;
        if (udp.receivers === 0) continue;
        await udp.send(next.value);
        rate.add(next.value.data.length, wallClock());
      }
    })();
    try {
      for await (const frame of source.frames()) {
        // Announce only once the source works, so a failure to start is one line.
        if (!started) {
          announce();
          baseWidth = jpegDimensions(frame.data)?.width;
        }
        frames.publish(frame);
      }
      // A file played once whose ffmpeg died did not end well: say so, and exit 1.
      if (failure !== undefined && !signal.aborted) {
        throw new SourceError(`the source stopped: ${failure}`);
      }
    } catch (error) {
      if (
        error instanceof SourceError && !(error instanceof FfmpegTooOldError) &&
        args.spec.kind === "camera"
      ) {
        throw new SourceError(
          `${error.message}; is the camera connected? See sender --list-cameras, or try --source test`,
        );
      }
      throw error;
    } finally {
      frames.close();
      await sending;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    clearInterval(statusTimer);
    status.clear();
    await source?.close();
    await udp.close();
    if (started) {
      logger.event("stopped", "udpcam sender stopped", {
        skipped,
        stats: udp.stats,
        eventLoopLagMs: loopLagReport(loopLag.lag),
      });
    }
  }
}
