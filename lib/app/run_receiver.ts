import { openDatagramSocket } from "../net/open_datagram_socket.ts";
import { formatHostPort, isLoopbackHost } from "../cli/host_port.ts";
import { storedHttpToken } from "./stored_token.ts";
import { Logger } from "../cli/logger.ts";
import { HttpServer } from "../preview/http_server.ts";
import { guardPreview } from "../preview/preview_guard.ts";
import { NoSignalRenderer } from "../preview/no_signal_renderer.ts";
import { stationMetrics } from "../preview/prometheus_metrics.ts";
import type { ReceiverArgs } from "./receiver_args.ts";
import { type CameraSource, type OpenCamera, Station } from "./station.ts";
import { cameraName, uniqueCameraName } from "../preview/camera_name.ts";
import { createStationHandler } from "../preview/station_handler.ts";
import { CameraKeys } from "../seal/camera_keys.ts";
import { StreamKey } from "../seal/stream_key.ts";
import { watchSenders } from "../discover/watch_senders.ts";
import { MAX_CAMERAS, StationRoster } from "./station_roster.ts";
import {
  httpErrorText,
  lanPreviewUrls,
  logLinkEvent,
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
import { UdpReceiver } from "../receive/udp_receiver.ts";
import { RtpReceiver } from "../receive/rtp_receiver.ts";
import { TutorialReceiver } from "../receive/tutorial_receiver.ts";
import type { FrameReceiver } from "../receive/frame_receiver.ts";
import type { DatagramSocket } from "../net/datagram_socket.ts";
import { isMulticastIpv4 } from "../net/ipv4_address.ts";
import { parseRtpJpegSdp, SdpError } from "../rtp/parse_rtp_jpeg_sdp.ts";
import { UsageError } from "../cli/cli_error.ts";
import { SourceError } from "../ffmpeg/source_error.ts";
import type { HostPort } from "../cli/host_port.ts";
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
    // With a key, the sender's salt is asked for and the key stretched with
    // it while the worker loads, not once the receiver listens.
    let gate: ReceiverGate | undefined;
    prepared = await prepareStart(renderer.ready(), args, {
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
        name: args.cameras[0]?.name ?? cameraName(formatHostPort(connect)),
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

/** What a station's start needs besides the flags. */
interface StationStart {
  /** The key of the camera known by any of these names, else the key of `--key`, if any. */
  keyOf: (names: string[]) => StreamKey | undefined;
  /** Tells the lag meter the thread did work. */
  onWork: () => void;
}

/**
 * Joins the senders named, and with `--all` every one announcing itself on
 * the LAN as it comes (and drops it as it goes). Gives back how to stop
 * watching.
 */
async function startStation(
  args: ReceiverArgs,
  { station, logger }: Started,
  { keyOf, onWork }: StationStart,
): Promise<() => void> {
  const named = await Promise.all(args.cameras.map(async (camera) => ({
    ...camera,
    ip: await resolveHost(camera.address.hostname),
  })));
  for (const camera of named) {
    const typed = formatHostPort(camera.address);
    const name = camera.name ??
      uniqueCameraName(cameraName(typed), (name) => station.cameras.has(name));
    await station.add(udpCamera(args, {
      name,
      sender: { hostname: camera.ip, port: camera.address.port },
      key: keyOf([name, typed, camera.address.hostname]),
      onWork,
      logger,
      several: true,
    }));
  }
  if (!args.all) return () => {};
  const roster = new StationRoster(
    named.map((camera) => `${camera.ip}:${camera.address.port}`),
    (name) => station.cameras.has(name),
  );
  const watch = watchSenders({
    onUp: (found) => {
      const where = `${found.address}:${found.port}`;
      const joining = roster.found(found);
      if (joining === undefined) return;
      if ("full" in joining) {
        if (!joining.full) return;
        logger.warn(
          `the station has its most cameras (${MAX_CAMERAS}): sender "${found.name}" at ${where} ` +
            "and any more are not joined; name the ones you want instead of --all",
        );
        return;
      }
      const name = joining.join;
      logger.event(
        "camera_found",
        `found sender "${found.name}" at ${where}: joining it as ${name}`,
        {
          camera: name,
          sender: where,
        },
      );
      station.add(udpCamera(args, {
        name,
        sender: { hostname: found.address, port: found.port },
        key: keyOf([name, found.name, where, found.address]),
        onWork,
        logger,
        several: true,
      })).catch((error) => logger.warn(`cannot add camera ${name}: ${errorText(error)}`));
    },
    onDown: (found) => {
      const name = roster.gone(found);
      if (name === undefined) return;
      const where = `${found.address}:${found.port}`;
      logger.event("camera_gone", `sender "${found.name}" at ${where} left: ${name} dropped`, {
        camera: name,
        sender: where,
      });
      station.remove(name).catch((error) =>
        logger.warn(`cannot drop camera ${name}: ${errorText(error)}`)
      );
    },
    onError: (error) =>
      logger.warn(
        `cannot listen for senders on the network (${error.message}): --all finds no more`,
      ),
  });
  return () => watch.stop();
}

/** A camera of udpcam's own protocol: its receiver, with its link's events in the log. */
function udpCamera(
  args: Pick<ReceiverArgs, "latencyMs" | "nack">,
  options: {
    name: string;
    sender: HostPort;
    key: StreamKey | undefined;
    gate?: ReceiverGate;
    onWork: () => void;
    logger: Logger;
    /** Whether the camera is one of a station's, its name then leading its log lines. */
    several?: boolean;
  },
): CameraSource {
  const { name, sender, key, gate, onWork, logger, several = false } = options;
  const socket = openDatagramSocket({
    hostname: sender.hostname.includes(":") ? "::" : "0.0.0.0",
    port: 0,
  });
  const source = formatHostPort(sender);
  const receiver = new UdpReceiver({
    socket,
    sender: { transport: "udp", ...sender },
    latencyMs: args.latencyMs,
    nack: args.nack,
    key,
    gate,
    onWork,
    onEvent: (event) => logLinkEvent(logger, event, source, several ? name : undefined),
  });
  return { name, source, receiver };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The source of a protocol other than udpcam's own (RTP/JPEG from `rtp://` or
 * `--sdp`, or a tutorial server), as its URL and how to open it; `undefined`
 * for udpcam's own.
 */
async function otherProtocol(args: ReceiverArgs): Promise<
  { source: string; open: (onWork: () => void) => Promise<FrameReceiver> } | undefined
> {
  if (args.rtp !== undefined || args.sdp !== undefined) {
    const rtp = args.sdp === undefined
      ? { address: args.rtp!, payloadType: 26 }
      : await readSdpSource(args.sdp);
    const source = `rtp://${formatHostPort(rtp.address)}`;
    return {
      source,
      open: async (onWork) =>
        new RtpReceiver({
          socket: await openRtpSocket(rtp.address),
          source,
          payloadType: rtp.payloadType,
          size: rtp.size,
          onWork,
        }),
    };
  }
  if (args.tutorial === undefined) return undefined;
  const { port } = args.tutorial;
  const hostname = await resolveHost(args.tutorial.hostname);
  const source = `tutorial://${formatHostPort(args.tutorial)}`;
  return {
    source,
    open: (onWork) =>
      Promise.resolve(
        new TutorialReceiver({
          socket: openDatagramSocket({
            hostname: hostname.includes(":") ? "::" : "0.0.0.0",
            port: 0,
          }),
          server: { transport: "udp", hostname, port },
          source,
          onWork,
        }),
      ),
  };
}

/** Where and what the RTP of the SDP file at `path` is; a one-line error for one that will not do. */
async function readSdpSource(path: string): Promise<{
  address: HostPort;
  payloadType: number;
  size?: { width: number; height: number };
}> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new UsageError(`cannot read --sdp ${path}: ${reason}`);
  }
  try {
    const sdp = parseRtpJpegSdp(text);
    // A unicast stream comes to this host, whichever of its addresses the SDP names.
    const hostname = isMulticastIpv4(sdp.address) ? sdp.address : "0.0.0.0";
    return { address: { hostname, port: sdp.port }, payloadType: sdp.payloadType, size: sdp.size };
  } catch (error) {
    if (!(error instanceof SdpError)) throw error;
    throw new UsageError(`--sdp ${path} will not do: ${error.message}`);
  }
}

/**
 * A socket where RTP comes to `address`: bound to it, or for an IPv4
 * multicast group bound to its port on every interface and joined.
 */
async function openRtpSocket(address: HostPort): Promise<Deno.DatagramConn | DatagramSocket> {
  try {
    return await bindRtpSocket(address);
  } catch (error) {
    // Said of the RTP address, not of the preview's, which the tool names by default.
    const where = `rtp://${formatHostPort(address)}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new SourceError(
        `${where} is already in use: stop the program using it, or choose another port`,
      );
    }
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new SourceError(`cannot receive on ${where}: ${reason}`);
  }
}

async function bindRtpSocket(address: HostPort): Promise<Deno.DatagramConn | DatagramSocket> {
  if (!isMulticastIpv4(address.hostname)) return openDatagramSocket(address);
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: "0.0.0.0",
    port: address.port,
    reuseAddress: true,
    loopback: true,
  });
  try {
    await conn.joinMulticastV4(address.hostname, "0.0.0.0");
  } catch (error) {
    conn.close();
    throw error;
  }
  return conn;
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
