import { openDatagramSocket } from "../net/open_datagram_socket.ts";
import { Adaptation } from "../adapt/adaptation.ts";
import { buildLadder } from "../adapt/rate_ladder.ts";
import type { FrameSource } from "../capture/frame_source.ts";
import type { TestPatternSource } from "../capture/test_pattern.ts";
import { Logger } from "../cli/logger.ts";
import { StatusLine } from "../cli/status_line.ts";
import type { FfmpegBuild } from "../ffmpeg/ffmpeg_build.ts";
import { SourceError } from "../ffmpeg/source_error.ts";
import type { Frame } from "../hub/frame.ts";
import { LatestValue } from "../hub/latest_value.ts";
import { jpegDimensions } from "../image/jpeg_dimensions.ts";
import { loopLagReport } from "../metrics/loop_lag_meter.ts";
import { RateMeter } from "../metrics/rate_meter.ts";
import { StreamSecret } from "../seal/stream_secret.ts";
import { RejectionTally } from "../send/rejection_tally.ts";
import { republishRecent, sendNewest } from "../send/send_newest.ts";
import { RtpOutput } from "../send/rtp_output.ts";
import { TutorialOutput } from "../send/tutorial_output.ts";
import { RtspOutput } from "../send/rtsp_output.ts";
import { JpegFitter } from "../tutorial/jpeg_fitter.ts";
import { TUTORIAL_MAX_JPEG } from "../tutorial/tutorial_datagram.ts";
import { AddressInUseError } from "../cli/cli_error.ts";
import { rtpJpegSdp } from "../rtp/rtp_jpeg_sdp.ts";
import { type DatagramSocket, denoDatagramSocket } from "../net/datagram_socket.ts";
import { formatHostPort, isLoopbackHost } from "../cli/host_port.ts";
import { announceSender, type Announcing } from "../discover/announce_sender.ts";
import { VERSION } from "../wire/header.ts";
import { UdpSender } from "../send/udp_sender.ts";
import { wallClock } from "../util/clock.ts";
import { type PreparedStart, prepareStart } from "./prepare_start.ts";
import type { SenderArgs } from "./sender_args.ts";
import {
  logAdaptation,
  logListening,
  logRegistryEvent,
  logRejection,
  logRtspEvent,
  logSourceEvent,
  logTutorialEvent,
  logTutorialListening,
  senderStoppedText,
} from "./sender_log.ts";
import {
  applyRung,
  cameraHint,
  openSource,
  openTestPattern,
  overlayFilter,
} from "./sender_source.ts";
import { startSenderStatus } from "./sender_status.ts";

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
  // So does the worker that makes frames small enough for the tutorial's clients.
  const fitter = args.tutorialPort === undefined ? undefined : new JpegFitter(TUTORIAL_MAX_JPEG);
  let prepared: PreparedStart | undefined;
  try {
    const workers = [testPattern?.ready(), fitter?.ready()].filter((ready) => ready !== undefined);
    prepared = await prepareStart(
      workers.length === 0 ? undefined : Promise.all(workers).then(() => {}),
      args,
      { stretch: (key) => key.stretch(StreamSecret.salt()) },
    );
    await send(args, signal, prepared, testPattern, fitter);
  } finally {
    prepared?.loopLag.close();
    await testPattern?.close();
    await fitter?.close();
  }
}

async function send(
  args: SenderArgs,
  signal: AbortSignal,
  prepared: PreparedStart,
  testPattern: TestPatternSource | undefined,
  fitter: JpegFitter | undefined,
): Promise<void> {
  const logger = new Logger({ format: args.log });
  const status = new StatusLine();
  logger.beforeWrite = () => status.clear();
  const { key, secret, loopLag } = prepared;
  if (key?.warning !== undefined) logger.warn(key.warning);

  // The pipeline, in the order a frame flows: the source (opened below, once
  // the socket is bound), the newest frame, the encoder's settings, the sender.
  let source: FrameSource | undefined;
  let build: () => FfmpegBuild | undefined = () => undefined;
  let baseWidth: number | undefined;
  const overlay = overlayFilter(args);
  const frames = new LatestValue<Frame>();
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
  const tally = new RejectionTally();
  const udp = new UdpSender({
    socket: openDatagramSocket(args.listen),
    mtu: args.mtu,
    paceBitsPerSecond: args.paceMbps * 1e6,
    spreadMs: args.spreadMs,
    fecGroup: args.fec,
    maxReceivers: args.maxReceivers,
    info: { name: args.name, startedAt: wallClock() },
    onEvent: (event) => {
      if (event.type === "receiver_left") adaptation?.remove(event.address);
      if (event.type === "receiver_joined" && event.receivers === 1) {
        republishRecent(frames, RESEND_ON_JOIN_MS);
      }
      logRegistryEvent(logger, event);
    },
    onLinkReport: (receiver, report, now) => adaptation?.update(receiver, report, now),
    onWork: () => loopLag.touch(),
    secret,
    onRejected: logRejection(logger, tally),
    fpsScale: (receiver) => adaptation?.rungFor(receiver).fpsScale ?? 1,
  });

  let rtp: OpenedRtp | undefined;
  let tutorial: TutorialOutput | undefined;
  let announcing: Announcing | undefined;
  const rtsp = args.rtsp === undefined ? undefined : new RtspOutput({
    url: args.rtsp,
    mtu: args.mtu,
    cname: `udpcam@${args.host}`,
    userAgent: "udpcam",
    onEvent: (event) => logRtspEvent(logger, event),
  });

  // And what it tells: a status line each second, the log at the end.
  const rate = new RateMeter(2000);
  const sourceRate = new RateMeter(2000);
  let skipped = 0;
  let captured = 0;
  let started = false;
  const startedAt = wallClock();
  const stopStatus = startSenderStatus({
    logger,
    status,
    tally,
    rate,
    sourceRate,
    udp,
    adaptation,
    loopLag,
    skipped: () => skipped,
  });
  const onAbort = () => {
    frames.close();
    source?.close();
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    if (args.rtp !== undefined) {
      rtp = await openRtpOutput(args.rtp, { mtu: args.mtu, cname: `udpcam@${args.host}` }, logger);
    }
    if (fitter !== undefined && args.tutorialPort !== undefined) {
      tutorial = openTutorialOutput(args.listen.hostname, args.tutorialPort, fitter, {
        logger,
        onWork: () => loopLag.touch(),
      });
    }
    // Before any frame flows: its sockets and first answers then hold up no frame.
    announcing = announce(args, udp, logger);
    let failure: string | undefined;
    let refused: SourceError | undefined;
    let refusal: Promise<SourceError | undefined>;
    ({ source, build, refusal } = await openSource(args, overlay, testPattern, (event) => {
      if (event.type === "source_failed") failure = event.error;
      if (event.type === "source_restarting") failure = undefined;
      logSourceEvent(logger, event);
    }));
    const opened = source;
    refusal.then((error) => {
      if (error === undefined || started) return;
      refused = error;
      opened.close().catch(() => {});
    });
    if (signal.aborted) return;
    const sending = sendNewest(frames, udp, {
      onSent: (frame) => rate.add(frame.data.length, wallClock()),
      onSkipped: (count) => skipped += count,
    });
    const sendingRtp = rtp === undefined ? undefined : sendNewest(frames, rtp.output);
    const sendingTutorial = tutorial === undefined ? undefined : sendNewest(frames, tutorial);
    const sendingRtsp = rtsp === undefined ? undefined : sendNewest(frames, rtsp);
    try {
      for await (const frame of source.frames()) {
        // Announce only once the source works, so a failure to start is one line.
        if (!started) {
          started = true;
          logListening(logger, { args, udp, key });
          baseWidth = jpegDimensions(frame.data)?.width;
          if (rtp !== undefined) await rtp.announce(jpegDimensions(frame.data));
          if (tutorial !== undefined) logTutorialListening(logger, args.listen.hostname, tutorial);
          rtsp?.start(jpegDimensions(frame.data));
        }
        captured++;
        sourceRate.add(frame.data.length, wallClock());
        frames.publish(frame);
      }
      if (refused !== undefined) throw refused;
      // A file played once whose ffmpeg died did not end well: say so, and exit 1.
      if (failure !== undefined && !signal.aborted) {
        throw new SourceError(`the source stopped: ${failure}`);
      }
    } catch (error) {
      throw cameraHint(error, args);
    } finally {
      frames.close();
      // The other outputs are closed before their loops are waited for: a
      // server or client that stopped reading must not hold the way out.
      await tutorial?.close();
      await rtsp?.close();
      await sending;
      await sendingRtp;
      await sendingTutorial;
      await sendingRtsp;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    stopStatus();
    await source?.close();
    await udp.close();
    rtp?.output.close();
    await tutorial?.close();
    await rtsp?.close();
    await announcing?.stop();
    if (started) {
      const stats = udp.stats;
      const text = senderStoppedText({
        ranMs: wallClock() - startedAt,
        captured,
        framesSent: stats.framesSent,
        skipped,
        resentPercent: stats.bytesSent > 0 ? (100 * stats.resentBytes) / stats.bytesSent : 0,
      });
      logger.event("stopped", text, {
        captured,
        skipped,
        stats: udp.stats,
        tutorial: tutorial?.stats,
        rtsp: rtsp?.stats,
        eventLoopLagMs: loopLagReport(loopLag.lag),
      });
    }
  }
}

/**
 * Announces the sender on the LAN, unless told not to or bound to loopback
 * (where no other machine could reach it).
 */
function announce(args: SenderArgs, udp: UdpSender, logger: Logger): Announcing | undefined {
  if (!args.announce || isLoopbackHost(args.listen.hostname)) return undefined;
  const announcing = announceSender({
    name: args.name,
    port: udp.addr.port,
    version: VERSION,
    keyed: udp.sealed,
    onError: (error) =>
      logger.warn(
        `cannot announce this sender on the network (${
          error.message.split("\n")[0]
        }): receivers need its address`,
      ),
  });
  logger.event(
    "announced",
    `announced on this network as "${args.name}" (_udpcam._udp): receivers find it with ` +
      "receiver --discover, or join it with no address (--announce off to stop)",
    { name: args.name },
  );
  return announcing;
}

/**
 * Opens the `--tutorial-port` output on the address receivers contact; a
 * taken port is one line and exit 4, naming the flag.
 */
function openTutorialOutput(
  hostname: string,
  port: number,
  fitter: JpegFitter,
  { logger, onWork }: { logger: Logger; onWork: () => void },
): TutorialOutput {
  let socket: DatagramSocket;
  try {
    socket = openDatagramSocket({ hostname, port });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new AddressInUseError(
        `--tutorial-port ${port} (udp://${formatHostPort({ hostname, port })})`,
      );
    }
    throw error;
  }
  return new TutorialOutput({
    socket,
    fitter,
    onWork,
    onEvent: (event) => logTutorialEvent(logger, event),
  });
}

/** The `--rtp` output, and how it says where it sends once the first frame's size is known. */
interface OpenedRtp {
  output: RtpOutput;
  /** Writes `--sdp` (the size decides `x-dimensions`) and logs where the RTP goes. */
  announce(size: { width: number; height: number } | undefined): Promise<void>;
}

/**
 * Opens the socket `--rtp` sends from: for a multicast group, one that has
 * joined it, to set the TTL and loop it back to this host's own receivers.
 */
async function openRtpOutput(
  rtp: NonNullable<SenderArgs["rtp"]>,
  options: { mtu: number; cname: string },
  logger: Logger,
): Promise<OpenedRtp> {
  const to = { transport: "udp" as const, ...rtp.to };
  let socket: DatagramSocket;
  if (rtp.ttl !== undefined) {
    const conn = Deno.listenDatagram({
      transport: "udp",
      hostname: "0.0.0.0",
      port: 0,
      loopback: true,
    });
    try {
      const membership = await conn.joinMulticastV4(rtp.to.hostname, "0.0.0.0");
      await membership.setTTL(rtp.ttl);
      await membership.setLoopback(true);
    } catch (error) {
      conn.close();
      const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new SourceError(
        `--rtp ${rtp.to.hostname}: cannot join the group to set its TTL (${reason}); ` +
          "is there a route for multicast?",
      );
    }
    socket = denoDatagramSocket(conn);
  } else {
    socket = openDatagramSocket({
      hostname: rtp.to.hostname.includes(":") ? "::" : "0.0.0.0",
      port: 0,
    });
  }
  const output = new RtpOutput({
    socket,
    to,
    ...options,
    onEvent: (event) => logger.warn(`--rtp sends nothing: ${event.reason}`),
  });
  const address = formatHostPort(rtp.to);
  return {
    output,
    announce: async (size) => {
      if (rtp.sdp !== undefined) {
        await Deno.writeTextFile(
          rtp.sdp,
          rtpJpegSdp({ address: rtp.to.hostname, port: rtp.to.port, ttl: rtp.ttl, ...size }),
        );
      }
      const sdp = rtp.sdp === undefined ? "" : `; its SDP in ${rtp.sdp}`;
      logger.event("rtp", `udpcam sender: RTP/JPEG to rtp://${address}${sdp}`, {
        to: address,
        ttl: rtp.ttl,
        sdp: rtp.sdp,
        ssrc: output.ssrc,
      });
    },
  };
}
