/**
 * What the sender says in its log: each adaptation, receiver, rejection and
 * source event, in words for people and fields for programs.
 *
 * @module
 */
import { formatDuration } from "../cli/duration.ts";
import { type AdaptationChange } from "../adapt/adaptation.ts";
import type { SourceEvent } from "../capture/frame_source.ts";
import { Logger } from "../cli/logger.ts";
import type { RegistryEvent } from "../send/receiver_registry.ts";
import type { RejectionTally } from "../send/rejection_tally.ts";
import type { SenderRejection } from "../send/sender_rejection.ts";
import type { UdpSender } from "../send/udp_sender.ts";
import type { TutorialOutput, TutorialOutputEvent } from "../send/tutorial_output.ts";
import type { RtspOutputEvent } from "../send/rtsp_output.ts";
import { formatHostPort, isLoopbackHost } from "../cli/host_port.ts";
import { formatSourceSpec } from "../capture/source_spec.ts";
import { type FoundKey, KEY_ENV } from "../seal/key_flags.ts";
import { formatSession } from "../wire/format_session.ts";
import { reachableAddresses, readNetworkInterfaces } from "../net/lan_addresses.ts";
import type { SenderArgs } from "./sender_args.ts";

/**
 * Says the sender is up, where receivers connect, and whether its datagrams
 * are sealed; with no key beyond loopback, warns that anyone may watch.
 */
export function logListening(
  logger: Logger,
  { args, udp, key }: { args: SenderArgs; udp: UdpSender; key: FoundKey | undefined },
): void {
  const address = formatHostPort({ hostname: args.listen.hostname, port: udp.addr.port });
  const source = formatSourceSpec(args.spec); // with any URL password hidden
  const fec = args.fec > 0 ? `, FEC 1 per ${args.fec} (+${(100 / args.fec).toFixed(0)} %)` : "";
  const connect = reachableAddresses(args.listen.hostname, readNetworkInterfaces())
    .map((host) => `receiver ${formatHostPort({ hostname: host, port: udp.addr.port })}`);
  const others = connect.length > 1
    ? ` (or ${connect.slice(1).map((command) => command.slice("receiver ".length)).join(", ")})`
    : "";
  logger.event(
    "listening",
    `udpcam sender: ${source} on udp://${address}, session ${formatSession(udp.session)}${fec}; ` +
      `receivers connect with: ${connect[0]}${others}`,
    {
      connect,
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
}

/** Logs a rejected datagram's sender, but only the first of a burst from it (see {@linkcode RejectionTally}). */
export function logRejection(
  logger: Logger,
  tally: RejectionTally,
): (address: string, reason: SenderRejection) => void {
  return (address, reason) => {
    const line = tally.add(address, REJECTION_TEXT[reason], performance.now());
    if (line !== undefined) {
      logger.event("rejected", line.message, { address, reason: REJECTION_TEXT[reason] });
    }
  };
}

/** Logs a change of rung: quality and width for all, or the share of frames for one receiver. */
export function logAdaptation(logger: Logger, change: AdaptationChange): void {
  const { to, reason } = change;
  if (change.type === "shared") {
    const size = to.widthScale < 1 ? `, ${Math.round(to.widthScale * 100)} % of the width` : "";
    logger.event(
      "adapted",
      `adapting to ${change.receiver}: quality ${to.quality}${size} (${reason})`,
      { receiver: change.receiver, quality: to.quality, widthScale: to.widthScale, reason },
    );
  } else {
    logger.event(
      "adapted",
      `adapting to ${change.receiver}: ${Math.round(to.fpsScale * 100)} % of frames (${reason})`,
      { receiver: change.receiver, fpsScale: to.fpsScale, reason },
    );
  }
}

/** Logs a receiver that joined, left or was refused. */
export function logRegistryEvent(logger: Logger, event: RegistryEvent): void {
  switch (event.type) {
    case "receiver_joined":
      logger.event(
        event.type,
        `receiver ${event.address} joined (${event.receivers} now)`,
        { ...event, type: undefined },
      );
      break;
    case "receiver_left":
      logger.event(
        event.type,
        `receiver ${event.address} left: ${leaveText[event.reason]} (${event.receivers} now)`,
        { ...event, type: undefined },
      );
      break;
    case "receiver_refused":
      logger.event(
        event.type,
        `receiver ${event.address} refused: the sender is full (--max-receivers)`,
        { ...event, type: undefined },
      );
  }
}

/** Each rejection as the log says it. */
export const REJECTION_TEXT: Record<SenderRejection, string> = {
  short: "too short",
  foreign: "not udpcam",
  version: "another protocol version",
  type: "unknown type",
  malformed: "malformed",
  wrongKey: "wrong key",
  unsealed: "no key",
  sealed: "sealed, and this sender has no key",
  replayed: "replayed",
  stale: "from an earlier run of this sender",
  rateLimited: "rate limited",
};

const leaveText = {
  bye: "said goodbye",
  timeout: "silent too long",
  shutdown: "sender stopping",
  replaced: "a new receiver took its address",
};

/** Logs the source starting, failing, restarting or ending. */
export function logSourceEvent(logger: Logger, event: SourceEvent): void {
  const fields = { ...event, type: undefined };
  switch (event.type) {
    case "source_started":
      logger.event(event.type, `source ${event.source} started`, fields);
      break;
    case "source_failed":
      logger.event(event.type, `source ${event.source} failed: ${event.error}`, fields);
      break;
    case "source_restarting":
      logger.event(
        event.type,
        `source ${event.source}: restarting in ${(event.delayMs / 1000).toFixed(0)} s ` +
          `(attempt ${event.attempt})`,
        fields,
      );
      break;
    case "source_ended":
      logger.event(event.type, `source ${event.source} ended`, fields);
  }
}

/** Says where the tutorial's clients greet, and that nothing guards it. */
export function logTutorialListening(
  logger: Logger,
  hostname: string,
  tutorial: TutorialOutput,
): void {
  const address = formatHostPort({ hostname, port: tutorial.addr.port });
  logger.event(
    "tutorial",
    `udpcam sender: clients of the classic tutorial on udp://${address}; it has no security: ` +
      "a forged greeting aims frames at any address (at most 4 clients, dropped after 10 min silent)",
    { address },
  );
}

/** Logs each tutorial client that joins, is refused or is dropped, and a frame that cannot fit. */
export function logTutorialEvent(logger: Logger, event: TutorialOutputEvent): void {
  switch (event.type) {
    case "client_joined":
      logger.event(
        event.type,
        `tutorial client ${event.address} joined (${event.clients} served)`,
        { address: event.address, clients: event.clients },
      );
      return;
    case "client_refused":
      logger.warn(
        `tutorial client ${event.address} refused: all clients are taken` +
          (event.count > 1 ? ` (${event.count} greetings refused since the last said)` : ""),
      );
      return;
    case "client_expired":
      logger.event(
        event.type,
        `tutorial client ${event.address} dropped: nothing heard from it for 10 minutes`,
        { address: event.address, clients: event.clients },
      );
      return;
    case "frame_unfit":
      logger.warn(`a frame is not sent to the tutorial's clients: ${event.reason}`);
      return;
    case "send_failed":
      logger.warn(
        `the system refused to send datagrams of ${event.bytes} bytes to the tutorial's clients` +
          (Deno.build.os === "darwin"
            ? " (macOS: raise sysctl net.inet.udp.maxdgram to 65535)"
            : ""),
      );
      return;
  }
}

/** Logs the RTSP output's publishing, each failure with when it tries again, and a refused source. */
export function logRtspEvent(logger: Logger, event: RtspOutputEvent): void {
  switch (event.type) {
    case "rtsp_publishing":
      logger.event(event.type, `udpcam sender: publishing to ${event.url}`, { url: event.url });
      return;
    case "rtsp_failed":
      logger.event(
        event.type,
        `--rtsp ${event.url}: ${event.reason}; trying again in ${event.retryMs / 1000} s`,
        { url: event.url, reason: event.reason, retryMs: event.retryMs },
      );
      return;
    case "rtp_refused":
      logger.warn(`--rtsp sends nothing: ${event.reason}`);
      return;
  }
}

/** What {@linkcode senderStoppedText} sums up. */
export interface SenderRun {
  ranMs: number;
  /** Frames the source gave. */
  captured: number;
  framesSent: number;
  /** Frames skipped while sending was busy. */
  skipped: number;
  resentPercent: number;
}

/** The sender's last line: how long it ran, frames from the source, sent and skipped, resent. */
export function senderStoppedText(run: SenderRun): string {
  return `udpcam sender stopped after ${formatDuration(Math.round(run.ranMs / 1000))}: ` +
    `${run.captured} frames from the source, ${run.framesSent} sent, ${run.skipped} skipped; ` +
    `${run.resentPercent.toFixed(1)} % of bytes resent`;
}
