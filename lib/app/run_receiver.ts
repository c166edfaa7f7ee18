import { formatHostPort, isLoopbackHost } from "../cli/host_port.ts";
import { generateHttpToken } from "../preview/http_token.ts";
import { Logger } from "../cli/logger.ts";
import { resolveFfmpegPath } from "../ffmpeg/ffmpeg_path.ts";
import { openBrowser } from "../preview/open_browser.ts";
import { Recorder } from "../record/recorder.ts";
import { formatRecorderEvent } from "../record/recorder_event.ts";
import { HttpServer } from "../preview/http_server.ts";
import { guardPreview } from "../preview/preview_guard.ts";
import { createPreviewHandler } from "../preview/preview_handler.ts";
import { SignalFeed } from "../preview/signal_feed.ts";
import { NoSignalRenderer } from "../preview/no_signal_renderer.ts";
import { monotonicMetrics } from "../preview/prometheus_metrics.ts";
import type { ReceiverArgs } from "./receiver_args.ts";
import { httpErrorText, logLinkEvent, previewUrl, statusText } from "./receiver_text.ts";
import { resolveHost } from "./resolve_host.ts";
import { StatusLine } from "../cli/status_line.ts";
import { UdpReceiver } from "../receive/udp_receiver.ts";
import { loopLagReport } from "../metrics/loop_lag_meter.ts";
import { type PreparedStart, prepareStart } from "./prepare_start.ts";
import { probeSalt } from "../receive/probe_salt.ts";
import { ReceiverGate } from "../receive/receiver_gate.ts";

/**
 * Runs the receiver until `signal` aborts: joins the sender, serves the
 * preview, and on the way out says goodbye and closes every viewer's stream.
 * Beyond loopback the preview asks for a token: `--http-token`, or a random
 * one logged in the preview URL.
 * Throws on a busy HTTP address or a sender name that does not resolve.
 */
export async function runReceiver(args: ReceiverArgs, signal: AbortSignal): Promise<void> {
  // Starting the no-signal frames' worker holds this thread up: done before
  // the socket exists, and its loading waited for (see prepareStart).
  const renderer = new NoSignalRenderer();
  let prepared: PreparedStart | undefined;
  try {
    const senderIp = await resolveHost(args.connect.hostname);
    const sender = { transport: "udp" as const, hostname: senderIp, port: args.connect.port };
    // With a key, the sender's salt is asked for and the key stretched with
    // it while the worker loads, not once the receiver listens.
    let gate: ReceiverGate | undefined;
    prepared = await prepareStart(renderer.ready(), args, {
      stretch: async (key, workerReady) => {
        gate = new ReceiverGate(key);
        const salt = await probeSalt(gate, sender, workerReady);
        if (salt === undefined) return undefined;
        const secret = await key.stretch(salt);
        gate.use(secret);
        return secret;
      },
    });
    await receive(args, signal, { ...prepared, sender, gate }, renderer);
  } finally {
    prepared?.loopLag.close();
    await renderer.close();
  }
}

/** What the start-up gives the receiver: its sender, and the gate that asked it for its salt. */
interface ReceiverStart extends PreparedStart {
  sender: Deno.NetAddr;
  gate: ReceiverGate | undefined;
}

async function receive(
  args: ReceiverArgs,
  signal: AbortSignal,
  prepared: ReceiverStart,
  renderer: NoSignalRenderer,
): Promise<void> {
  const logger = new Logger({ format: args.log });
  const status = new StatusLine();
  logger.beforeWrite = () => status.clear();

  const { key, streamKey, loopLag, sender, gate } = prepared;
  if (key?.warning !== undefined) {
    logger.warn(key.warning);
  }
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: sender.hostname.includes(":") ? "::" : "0.0.0.0",
    port: 0,
  });
  const senderAddress = formatHostPort(sender);
  const receiver = new UdpReceiver({
    socket,
    sender,
    latencyMs: args.latencyMs,
    nack: args.nack,
    key: streamKey,
    gate,
    onEvent: (event) => logLinkEvent(logger, event, senderAddress),
  });
  // The recording takes the frames as they came, never the preview's "no signal" frames.
  const recorder = args.record === undefined ? undefined : new Recorder({
    frames: receiver.frames,
    path: args.record,
    segmentSeconds: args.recordSegmentSeconds,
    ffmpeg: resolveFfmpegPath(args.ffmpeg, Deno.env.get("FFMPEG")),
    onEvent: (event) => {
      const { type, ...fields } = event;
      logger.event(type, formatRecorderEvent(event), fields);
    },
  });
  // The preview shows a "no signal" frame, in the stream itself, while no video comes.
  const feed = new SignalFeed({
    frames: receiver.frames,
    link: () => ({
      state: receiver.state,
      stateReason: receiver.stateReason,
      sender: senderAddress,
    }),
    render: (options) => renderer.render(options),
    onError: (error) => {
      const message = `cannot draw the no-signal frame: ${
        error instanceof Error ? error.message : String(error)
      }`;
      logger.warn(message);
    },
  });
  let server: HttpServer | undefined;
  const handler = createPreviewHandler({
    frames: feed.display,
    stats: () => ({
      ...receiver.stats(),
      recording: recorder?.stats,
      signalFeed: feed.stats,
      eventLoopLagMs: loopLagReport(loopLag.lag),
      http: server?.stats,
    }),
    // Called only on a request, once `handler` exists.
    metrics: monotonicMetrics(() => ({
      receiver: receiver.stats(),
      latency: receiver.latencyHistogram,
      preview: handler.stats,
      http: server?.stats,
      loopLag: loopLag.lag,
    })),
  });
  const loopback = isLoopbackHost(args.http.hostname);
  const token = args.httpToken ?? (loopback ? undefined : generateHttpToken());
  let guarded: ((request: Request) => Response) | undefined;
  let statusTimer: ReturnType<typeof setInterval> | undefined;
  try {
    await recorder?.start();
    // Its own server, not Deno.serve: connections capped, slow and idle ones
    // timed out, and running out of descriptors outlasted (see HttpServer).
    server = new HttpServer((request) => guarded!(request), {
      hostname: args.http.hostname,
      port: args.http.port,
      onError: (error) => logger.warn(httpErrorText(error)),
    });
    // The server takes no request before this turn of the event loop ends, so
    // the guard, which needs the port just bound, is in place for the first one.
    const port = server.addr.port;
    guarded = guardPreview(handler, { port, loopback, token });
    const url = previewUrl({ hostname: args.http.hostname, port }, token);
    logger.event(
      "listening",
      `udpcam receiver: joining udp://${senderAddress}${
        key === undefined ? "" : `, sealed with the key from ${key.from}`
      }; preview at ${url}`,
      {
        url,
        sender: senderAddress,
        receiver: receiver.addr.port,
        sealed: key !== undefined,
      },
    );
    if (args.open) {
      openBrowser(url).then((reason) => {
        if (reason === undefined) return;
        const message = `cannot open a browser (${reason}); open ${url} by hand`;
        logger.warn(message);
      });
    }
    statusTimer = setInterval(
      () => status.update(statusText(receiver, handler.stats.viewers, loopLag.lag)),
      1000,
    );
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    clearInterval(statusTimer);
    status.clear();
    // ffmpeg finishes the file from the frames it has; then the receiver says goodbye.
    await recorder?.close();
    await receiver.close();
    await feed.close();
    // Closing the frames ended every stream that was waiting for one; a viewer
    // too slow to take what was already queued gets one second more.
    await server?.shutdown(1000);
  }
  logger.event("stopped", "udpcam receiver stopped", {
    stats: receiver.stats(),
    recording: recorder?.stats,
    eventLoopLagMs: loopLagReport(loopLag.lag),
  });
}
