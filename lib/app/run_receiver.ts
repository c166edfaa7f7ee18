import { formatHostPort, isLoopbackHost } from "../cli/host_port.ts";
import { storedHttpToken } from "./stored_token.ts";
import { Logger } from "../cli/logger.ts";
import { HttpServer } from "../preview/http_server.ts";
import { guardPreview } from "../preview/preview_guard.ts";
import { NoSignalRenderer } from "../preview/no_signal_renderer.ts";
import { stationMetrics } from "../preview/prometheus_metrics.ts";
import type { ReceiverArgs } from "./receiver_args.ts";
import { type OpenCamera, Station } from "./station.ts";
import { otherProtocol } from "./other_protocol.ts";
import { startStation, udpCamera } from "./start_station.ts";
import { cameraName } from "../preview/camera_name.ts";
import { createStationHandler } from "../preview/station_handler.ts";
import { CameraKeys } from "../seal/camera_keys.ts";
import { StreamKey } from "../seal/stream_key.ts";
import {
  httpErrorText,
  lanPreviewUrls,
  logReceiverListening,
  openInBrowser,
  previewUrl,
  type ReceiverRun,
  receiverStoppedText,
  stationStatusText,
  statusText,
} from "./receiver_text.ts";
import { resolveHost } from "./resolve_host.ts";
import { StatusLine } from "../cli/status_line.ts";
import { terminalQr } from "../cli/terminal_qr.ts";
import { readNetworkInterfaces } from "../net/lan_addresses.ts";
import type { FrameReceiver } from "../receive/frame_receiver.ts";
import { loopLagReport } from "../metrics/loop_lag_meter.ts";
import { type PreparedStart, prepareStart } from "./prepare_start.ts";
import { probeSalt } from "../receive/probe_salt.ts";
import { ReceiverGate } from "../receive/receiver_gate.ts";
import { rehearseLink } from "./rehearse_link.ts";
import { findSender } from "./choose_sender.ts";
import { findKey } from "../seal/key_flags.ts";
import { wallClock } from "../util/clock.ts";

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
    const other = await otherProtocol(args);
    if (other !== undefined) {
      // No handshake and no key: only the worker to wait for, and the link rehearsed.
      prepared = await prepareStart(renderer.ready(), args, {
        warm: () => rehearseLink({ timeoutMs: 500 }),
      });
      const onWork = prepared.loopLag.touch.bind(prepared.loopLag);
      await receive(args, signal, prepared, renderer, async ({ station }) => {
        await station.add({
          name: cameraName(other.source.replace(/^[a-z]+:\/\//, "")),
          source: other.source,
          receiver: await other.open(onWork),
        });
      });
      return;
    }
    if (args.all || args.cameras.length > 1) {
      const keys = args.keys === undefined ? undefined : await CameraKeys.read(args.keys);
      prepared = await prepareStart(renderer.ready(), args, {
        warm: () => rehearseLink({ timeoutMs: 500 }),
      });
      const { streamKey, loopLag } = prepared;
      await receive(args, signal, prepared, renderer, (started) =>
        startStation(args, started, {
          keyOf: (names) => {
            const secret = keys?.keyOf(names);
            return secret === undefined ? streamKey : new StreamKey(secret);
          },
          onWork: () => loopLag.touch(),
        }));
      return;
    }
    // A key that will not do is said at once, before seconds spent listening for senders.
    const keyGiven = args.connect === undefined ? await findKey(args) : undefined;
    const connect = args.connect ??
      await findSender(new Logger({ format: args.log }), keyGiven !== undefined);
    const senderIp = await resolveHost(connect.hostname);
    const sender = { hostname: senderIp, port: connect.port };
    const name = args.cameras[0]?.name ?? cameraName(formatHostPort(connect));
    // A key of --keys for this camera, by its name or address, stands for --key's.
    const own = args.keys === undefined
      ? undefined
      : (await CameraKeys.read(args.keys)).keyOf([name, formatHostPort(connect), connect.hostname]);
    // With a key, the sender's salt is asked for and the key stretched with
    // it while the worker loads, not once the receiver listens.
    let gate: ReceiverGate | undefined;
    prepared = await prepareStart(renderer.ready(), own === undefined ? args : { key: own }, {
      // The worker takes about 0.6 s to load; this about 0.13 s.
      warm: () => rehearseLink({ timeoutMs: 500 }),
      stretch: async (key, workerReady) => {
        gate = new ReceiverGate(key);
        const salt = await probeSalt(gate, { transport: "udp", ...sender }, workerReady);
        if (salt === undefined) return undefined;
        const secret = await key.stretch(salt);
        gate.use(secret);
        return secret;
      },
    });
    const { streamKey, loopLag } = prepared;
    await receive(args, signal, prepared, renderer, async ({ station, logger }) => {
      await station.add(udpCamera(args, {
        name,
        sender,
        key: streamKey,
        gate,
        onWork: () => loopLag.touch(),
        logger,
      }));
    });
  } finally {
    prepared?.loopLag.close();
    await renderer.close();
  }
}

/** What the receiver has once started, for its cameras to join. */
interface Started {
  station: Station;
  logger: Logger;
}

async function receive(
  args: ReceiverArgs,
  signal: AbortSignal,
  prepared: PreparedStart,
  renderer: NoSignalRenderer,
  join: (started: Started) => Promise<(() => void) | void>,
): Promise<void> {
  const logger = new Logger({ format: args.log });
  const startedAt = wallClock();
  const status = new StatusLine();
  logger.beforeWrite = () => status.clear();

  const { key, loopLag } = prepared;
  if (key?.warning !== undefined) logger.warn(key.warning);
  const several = args.all || args.cameras.length > 1;
  const station = new Station({ args, renderer, logger, several });
  let server: HttpServer | undefined;
  let stopWatching: (() => void) | void = undefined;
  const handler = createStationHandler({
    cameras: station.cameras,
    grid: several,
    stats: () => ({ eventLoopLagMs: loopLagReport(loopLag.lag), http: server?.stats }),
    // Called only on a request, once `station` has its cameras.
    metrics: stationMetrics(() => ({
      cameras: station.metrics(),
      http: server?.stats,
      loopLag: loopLag.lag,
    })),
  });
  const loopback = isLoopbackHost(args.http.hostname);
  let token = args.httpToken;
  if (token === undefined && !loopback) {
    const stored = await storedHttpToken();
    token = stored.token;
    if (stored.problem !== undefined) {
      logger.warn(`the preview's token is new each run: ${stored.problem}`);
    }
  }
  let guarded: ((request: Request) => Response) | undefined;
  let statusTimer: ReturnType<typeof setInterval> | undefined;
  let closed: OpenCamera[] = [];
  const summary: ReceiverRun = {
    ranMs: 0,
    framesReceived: 0,
    framesLost: 0,
    lossPercent: 0,
    recovered: 0,
  };
  try {
    stopWatching = await join({ station, logger });
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
    guarded = guardPreview(handler, { port, loopback, token, allowEmbed: args.allowEmbed });
    const url = previewUrl({ hostname: args.http.hostname, port }, token);
    const lanUrls = lanPreviewUrls(
      { hostname: args.http.hostname, port },
      token,
      readNetworkInterfaces(),
    );
    const cameras = station.list;
    logReceiverListening(logger, {
      url,
      lanUrls,
      sender: cameras[0]?.source ?? "",
      port: cameras[0]?.receiver.addr.port ?? 0,
      key,
      protocol: args.rtp !== undefined || args.sdp !== undefined
        ? "rtp"
        : args.tutorial !== undefined
        ? "tutorial"
        : "udpcam",
      station: several
        ? { cameras: cameras.map(({ name, source }) => ({ name, source })), all: args.all }
        : undefined,
    });
    if (args.open) openInBrowser(url, logger);
    await showQrCode(lanUrls, args.log, status);
    statusTimer = setInterval(() => {
      const list = station.list;
      status.update(
        several
          ? stationStatusText(list, handler.grid.viewers, loopLag.lag)
          : list.length === 0
          ? ""
          : statusText(list[0].receiver, list[0].handler.stats.viewers, loopLag.lag),
      );
    }, 1000);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    clearInterval(statusTimer);
    status.clear();
    stopWatching?.();
    closed = station.list;
    for (const camera of closed) addUp(summary, camera.receiver.stats());
    // Each recording finishes from the frames it has; then each receiver says goodbye.
    await station.close();
    // Closing the frames ended every stream that was waiting for one; a viewer
    // too slow to take what was already queued gets one second more.
    await server?.shutdown(1000);
  }
  summary.ranMs = wallClock() - startedAt;
  const text = receiverStoppedText(summary);
  logger.event("stopped", several ? `${text} (${closed.length} cameras)` : text, {
    cameras: closed.map((camera) => ({ name: camera.name, stats: camera.receiver.stats() })),
    stats: closed[0]?.receiver.stats(),
    recording: closed[0]?.recorder?.stats,
    eventLoopLagMs: loopLagReport(loopLag.lag),
  });
}

/** Adds a camera's totals to the run's summary. */
function addUp(run: ReceiverRun, stats: ReturnType<FrameReceiver["stats"]>): void {
  run.framesReceived += stats.framesReceived;
  run.framesLost += Object.values(stats.framesDropped).reduce((sum, n) => sum + n, 0);
  run.lossPercent = Math.max(run.lossPercent, stats.lossPercent);
  run.recovered += stats.packetsRecovered + stats.packetsRebuilt;
}

/**
 * Prints the first LAN URL of the preview as a QR code, for a phone's camera,
 * when a person reads the log on a terminal.
 */
async function showQrCode(lanUrls: string[], log: string, status: StatusLine): Promise<void> {
  const [first] = lanUrls;
  if (first === undefined || log !== "text" || !Deno.stderr.isTerminal()) return;
  if (new URL(first).hostname.startsWith("127.")) return;
  status.clear();
  const qr = await terminalQr(first);
  Deno.stderr.writeSync(new TextEncoder().encode(`the preview on a phone: scan\n${qr}\n`));
}
