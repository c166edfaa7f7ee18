/**
 * What the sender says in its log: each adaptation, receiver, rejection and
 * source event, in words for people and fields for programs.
 *
 * @module
 */
import { type AdaptationChange } from "../adapt/adaptation.ts";
import type { SourceEvent } from "../capture/frame_source.ts";
import { Logger } from "../cli/logger.ts";
import type { RegistryEvent } from "../send/receiver_registry.ts";
import type { SenderRejection } from "../send/sender_rejection.ts";

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
