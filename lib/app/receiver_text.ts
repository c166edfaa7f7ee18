/**
 * What the receiver says: its log lines, its status line and its preview's
 * URL.
 *
 * @module
 */
import { formatDuration } from "../cli/duration.ts";
import { formatSession } from "../wire/format_session.ts";
import { formatHostPort, type HostPort } from "../cli/host_port.ts";
import { Logger } from "../cli/logger.ts";
import { type HttpServerError } from "../preview/http_server_options.ts";
import { LINK_STATE_LABELS, type LinkEvent } from "../receive/link_state.ts";
import { linkReasonText } from "../receive/link_reason.ts";
import { type InterfaceAddress, reachableAddresses } from "../net/lan_addresses.ts";
import type { FrameReceiver } from "../receive/frame_receiver.ts";
import { type LoopLag } from "../metrics/loop_lag_meter.ts";
import { openBrowser } from "../preview/open_browser.ts";
import type { FoundKey } from "../seal/key_flags.ts";

/** The log line for something that went wrong in the preview's server. */
export function httpErrorText(error: HttpServerError): string {
  const reason = error.error instanceof Error ? error.error.message : String(error.error);
  return error.type === "accept"
    ? `the preview cannot take connections (${reason}); it keeps trying, and the video goes on`
    : `the preview failed to answer a request: ${reason}`;
}

/** The receiver's one-line status: link state, rate, size, latency, loss, recovery and viewers. */
export function statusText(receiver: FrameReceiver, viewers: number, loopLag: LoopLag): string {
  const s = receiver.stats();
  const size = s.width ? `${s.width}x${s.height}` : "-";
  const latency = s.latencyMs.p50 === undefined ? "-" : `${s.latencyMs.p50.toFixed(1)} ms`;
  const rtt = s.rttMs === undefined ? "-" : `${s.rttMs.toFixed(1)} ms`;
  const framesLost = Object.values(s.framesDropped).reduce((sum, n) => sum + n, 0);
  const state = s.state === "refused" || s.stateReason.startsWith("no answer for")
    ? `${s.state}: ${s.stateReason}`
    : s.state;
  return `udpcam receiver | ${state} | ${s.fps.toFixed(1)} fps | ` +
    `${s.bitrateMbps.toFixed(1)} Mbit/s | ${size} | latency ${latency} | rtt ${rtt} | ` +
    `loss ${s.lossPercent.toFixed(1)} % | recovered ${s.packetsRecovered + s.packetsRebuilt} | ` +
    `frames lost ${framesLost} | viewers ${viewers} | loop lag ${loopLag.maxMs.toFixed(1)} ms`;
}

/** The preview's URL, with the token if it asks for one; a wildcard address as 127.0.0.1. */
export function previewUrl(address: HostPort, token: string | undefined): string {
  const wildcard = address.hostname === "0.0.0.0" || address.hostname === "::";
  const host = wildcard ? "127.0.0.1" : address.hostname;
  const query = token === undefined ? "" : `?token=${encodeURIComponent(token)}`;
  return `http://${formatHostPort({ hostname: host, port: address.port })}/${query}`;
}

/**
 * Logs the link joining, its sender restarting, and each change of state with
 * its reason; in a station, each line led by the camera's name.
 */
export function logLinkEvent(
  logger: Pick<Logger, "event">,
  event: LinkEvent,
  sender: string,
  camera?: string,
): void {
  if (camera !== undefined) {
    const own = logger;
    logger = {
      event: (type, text, fields) => own.event(type, `${camera}: ${text}`, { camera, ...fields }),
    };
  }
  switch (event.type) {
    case "joined":
      logger.event(
        "joined",
        `joined sender ${sender} (session ${formatSession(event.session)}, rtt ${
          event.rttMs.toFixed(1)
        } ms)`,
        { sender, session: formatSession(event.session), rttMs: event.rttMs },
      );
      break;
    case "session_changed":
      logger.event(
        "sender_restarted",
        `sender ${sender} restarted (session ${formatSession(event.from)} -> ${
          formatSession(event.to)
        })`,
        { sender, from: formatSession(event.from), to: formatSession(event.to) },
      );
      break;
    case "state": {
      // The wait that has gone on names the address and port to check.
      const port = sender.slice(sender.lastIndexOf(":") + 1);
      const text = event.reason === "noAnswerLong"
        ? `no answer from udp://${sender} for 5 s: is the sender running there, is UDP ${port} ` +
          "allowed through its firewall, and is it on this network? Still trying"
        : `${LINK_STATE_LABELS[event.to]}: ${linkReasonText(event.reason)}`;
      logger.event(
        "state",
        text,
        { from: event.from, to: event.to, reason: linkReasonText(event.reason), sender },
      );
    }
  }
}

/** What {@linkcode logReceiverListening} says. */
export interface ReceiverListening {
  url: string;
  sender: string;
  /** The receiver's UDP port. */
  port: number;
  key: FoundKey | undefined;
  /**
   * What it receives: udpcam's own protocol, RTP/JPEG or the tutorial's
   * (`sender` is then its `rtp://` or `tutorial://` URL). @default {"udpcam"}
   */
  protocol?: "udpcam" | "rtp" | "tutorial";
  /** The preview's URLs from other machines, when it listens on every interface. */
  lanUrls?: string[];
  /** For a station of several cameras: each camera's name and sender, and whether `--all` adds more. */
  station?: { cameras: Array<{ name: string; source: string }>; all: boolean };
}

/** Says the receiver is up: the sender it joins, whether sealed, and the preview's URL. */
export function logReceiverListening(logger: Logger, listening: ReceiverListening): void {
  const { url, sender, port, key, protocol = "udpcam", lanUrls = [], station } = listening;
  const sealed = key === undefined ? "" : `, sealed with the key from ${key.from}`;
  const what = station !== undefined
    ? stationText(station) + sealed
    : protocol === "rtp"
    ? `receiving RTP/JPEG on ${sender}`
    : protocol === "tutorial"
    ? `joining the tutorial's server ${sender} (no security)`
    : `joining udp://${sender}${sealed}`;
  const lan = lanUrls.filter((lanUrl) => lanUrl !== url);
  const network = lan.length === 0
    ? ""
    : `; from the network: ${lan[0]}${lan.length > 1 ? ` (or ${lan.slice(1).join(", ")})` : ""}`;
  logger.event(
    "listening",
    `udpcam receiver: ${what}; preview at ${url}${network}`,
    {
      url,
      lanUrls,
      sender,
      receiver: port,
      sealed: key !== undefined,
      ...(station === undefined ? {} : { cameras: station.cameras }),
    },
  );
}

/** What a station joins, in words: its cameras, and every sender on the LAN with `--all`. */
function stationText(station: NonNullable<ReceiverListening["station"]>): string {
  const named = station.cameras.map(({ name, source }) => `${name} (udp://${source})`).join(", ");
  if (!station.all) return `a station of ${station.cameras.length} cameras: ${named}`;
  return `a station of every sender announcing itself on the network` +
    (named === "" ? "" : `, and ${named}`);
}

/**
 * The station's one-line status: how many cameras are live, each camera's
 * rate (a dash for one not live), the grid's viewers, and the loop's lag.
 */
export function stationStatusText(
  cameras: ReadonlyArray<{ name: string; receiver: FrameReceiver }>,
  viewers: number,
  loopLag: LoopLag,
): string {
  const stats = cameras.map((camera) => ({ name: camera.name, s: camera.receiver.stats() }));
  const live = stats.filter(({ s }) => s.state === "live").length;
  const each = stats.map(({ name, s }) =>
    `${name} ${s.state === "live" ? `${s.fps.toFixed(1)} fps` : s.state}`
  );
  return `udpcam station | ${live}/${cameras.length} live | ${each.join(" | ")} | ` +
    `grid viewers ${viewers} | loop lag ${loopLag.maxMs.toFixed(1)} ms`;
}

/**
 * The preview's URLs from other machines: one per LAN address when it
 * listens on every interface, else none.
 */
export function lanPreviewUrls(
  address: HostPort,
  token: string | undefined,
  interfaces: readonly InterfaceAddress[],
): string[] {
  if (address.hostname !== "0.0.0.0" && address.hostname !== "::") return [];
  return reachableAddresses("0.0.0.0", interfaces)
    .map((hostname) => previewUrl({ hostname, port: address.port }, token));
}

/** Opens `url` in the user's browser, or says to open it by hand. */
export function openInBrowser(url: string, logger: Logger): void {
  openBrowser(url).then((reason) => {
    if (reason === undefined) return;
    logger.warn(`cannot open a browser (${reason}); open ${url} by hand`);
  });
}

/** What {@linkcode receiverStoppedText} sums up. */
export interface ReceiverRun {
  ranMs: number;
  framesReceived: number;
  /** Frames dropped, whatever the cause. */
  framesLost: number;
  lossPercent: number;
  /** Datagrams resent or rebuilt from parity. */
  recovered: number;
}

/** The receiver's last line: how long it ran, frames received and lost, packet loss. */
export function receiverStoppedText(run: ReceiverRun): string {
  return `udpcam receiver stopped after ${formatDuration(Math.round(run.ranMs / 1000))}: ` +
    `${run.framesReceived} frames received, ${run.framesLost} lost; ` +
    `${run.lossPercent.toFixed(1)} % of packets lost, ${run.recovered} recovered`;
}
