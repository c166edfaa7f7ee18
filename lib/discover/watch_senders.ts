import { openBonjour } from "./_bonjour.ts";
import { SERVICE_TYPE } from "./announce_sender.ts";
import { type FoundSender, foundSender } from "./discover_senders.ts";

/** Options for {@linkcode watchSenders}. */
export interface WatchOptions {
  /** A sender heard for the first time (at one address and port). */
  onUp: (sender: FoundSender) => void;
  /** A sender that said goodbye. */
  onDown: (sender: FoundSender) => void;
  /** mDNS failed (port 5353 refused, say): no more senders will be heard. */
  onError?: (error: Error) => void;
  /** How often to ask the LAN again, in ms; senders that start announce themselves anyway. @default {10000} */
  askEveryMs?: number;
}

/** A watch of the LAN's senders, until stopped. */
export interface SenderWatch {
  /** Stops listening. */
  stop(): void;
}

/**
 * Watches the LAN for senders (`_udpcam._udp`) for as long as it runs: each
 * one heard is told once by `onUp`, and by `onDown` when it says goodbye (a
 * sender stopping does). A sender killed or unplugged says nothing: it
 * stays, as a camera with no signal should on a monitoring station, and is
 * joined again on its own when it comes back. A sender announced on several
 * interfaces is told once, by its address and port.
 */
export function watchSenders(options: WatchOptions): SenderWatch {
  const { onUp, onDown, onError = () => {}, askEveryMs = 10_000 } = options;
  const up = new Map<string, FoundSender>();
  const bonjour = openBonjour((error) => onError(error));
  const idOf = (sender: FoundSender) => `${sender.address}:${sender.port}`;
  const browser = bonjour.find({ type: SERVICE_TYPE, protocol: "udp" });
  browser.on("up", (service) => {
    const sender = foundSender(service);
    if (sender === undefined || up.has(idOf(sender))) return;
    up.set(idOf(sender), sender);
    onUp(sender);
  });
  browser.on("down", (service) => {
    const sender = foundSender(service);
    if (sender === undefined || !up.delete(idOf(sender))) return;
    onDown(sender);
  });
  // Asked again now and then, for a sender whose announcement this missed.
  // Not expire(): bonjour-service times a service from when it was first
  // heard, not last, so every live sender would go down after its record's
  // time to live (8 h) and come back.
  const timer = setInterval(() => browser.update(), askEveryMs);
  return {
    stop() {
      clearInterval(timer);
      browser.stop();
      bonjour.destroy();
    },
  };
}
