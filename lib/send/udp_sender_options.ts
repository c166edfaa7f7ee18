import type { DatagramSocket } from "../net/datagram_socket.ts";
import type { LinkReport } from "../adapt/link_report.ts";
import type { StreamSecret } from "../seal/stream_secret.ts";
import type { SenderInfo } from "../wire/control.ts";
import type { HelloLimiter } from "./hello_limiter.ts";
import type { RegistryEvent } from "./receiver_registry.ts";
import type { SenderRejection } from "./sender_rejection.ts";

/** What the sender does with each receiver's frames; see {@linkcode UdpSenderOptions.fpsScale}. */
export type FpsScale = (receiver: string) => number;

/** Options for a `UdpSender` (see `udp_sender.ts`). */
export interface UdpSenderOptions {
  /** A bound UDP socket; the sender owns it from now on. */
  socket: Deno.DatagramConn | DatagramSocket;
  /** The largest datagram, in bytes. @default {1200} */
  mtu?: number;
  /** The peak send rate, in bits per second. @default {400e6} */
  paceBitsPerSecond?: number;
  /** Datagrams sent back to back at most at the peak rate. @default {32} */
  burstPackets?: number;
  /**
   * Each frame's datagrams are sent evenly over this many ms (never more than
   * half the frame interval), those due together in one call (see `clumpFor`);
   * 0 sends them as fast as the peak rate allows.
   * @default {2}
   */
  spreadMs?: number;
  /** Fragments per parity datagram (forward error correction); 0 for none. @default {0} */
  fecGroup?: number;
  /** A receiver silent this long, in ms, is dropped. @default {5000} */
  timeoutMs?: number;
  /** The most receivers at once. @default {32} */
  maxReceivers?: number;
  /** The session id. @default a random 32-bit number other than 0 */
  session?: number;
  /** Who this sender is, as its receivers show it. @default nothing said */
  info?: SenderInfo;
  /** Called on joins and leaves. */
  onEvent?: (event: RegistryEvent) => void;
  /** Called as work begins: a frame to send, datagrams to take in (see `LoopLagMeter.touch`). */
  onWork?: () => void;
  /** Called with what each receiver's report says about its link. */
  onLinkReport?: (receiver: string, report: LinkReport, now: number) => void;
  /** The fraction of frames each receiver gets, from 0 to 1. @default all of them */
  fpsScale?: FpsScale;
  /** The shared secret: with one, every datagram is sealed. @default none, in the clear */
  secret?: StreamSecret;
  /** Limits what addresses not streamed to get answered. @default a {@linkcode HelloLimiter} */
  limiter?: HelloLimiter;
  /**
   * Limits the answers to hellos that authenticate with the key, apart from `limiter`.
   * @default a {@linkcode HelloLimiter}
   */
  keyHolderLimiter?: HelloLimiter;
  /** Called for each datagram dropped, with its source (`host:port`) and why. */
  onRejected?: (address: string, reason: SenderRejection) => void;
}
