import type { Frame } from "../hub/frame.ts";
import type { DatagramSocket } from "../net/datagram_socket.ts";
import { receiveDatagrams } from "../net/receive_datagrams.ts";
import type { JpegFitter } from "../tutorial/jpeg_fitter.ts";
import { TutorialClientEvent, TutorialClients } from "../tutorial/tutorial_clients.ts";
import { encodeTutorialFrame } from "../tutorial/tutorial_datagram.ts";
import { wallClock } from "../util/clock.ts";

/** What a {@linkcode TutorialOutput} tells. */
export type TutorialOutputEvent =
  | TutorialClientEvent
  /** A frame could not be made to fit one datagram, or could not be re-encoded: skipped. */
  | { type: "frame_unfit"; reason: string }
  /** The system refused datagrams of this size: said once. */
  | { type: "send_failed"; bytes: number };

/** Options for a {@linkcode TutorialOutput}. */
export interface TutorialOutputOptions {
  /** Bound to the port clients greet (`--tutorial-port`); owned by the output from now on. */
  socket: DatagramSocket;
  /** Makes frames too large for one datagram smaller; owned by the output from now on. */
  fitter: JpegFitter;
  /** The clients served. @default {new TutorialClients()} */
  clients?: TutorialClients;
  onEvent?: (event: TutorialOutputEvent) => void;
  /** Called as greetings arrive, before they are taken (see `LoopLagMeter.touch`). */
  onWork?: () => void;
}

/** What a {@linkcode TutorialOutput} has sent. */
export interface TutorialOutputStats {
  frames: number;
  datagrams: number;
  bytes: number;
  /** Frames re-encoded smaller to fit one datagram. */
  refitted: number;
  /** Frames that fit no datagram, or failed to re-encode: not sent. */
  unfit: number;
  /** Datagrams the system refused to send (one too large for it, say). */
  failed: number;
}

/**
 * The sender's output for clients of the classic tutorial (`--tutorial-port`):
 * any datagram to its port makes its sender a client (up to a few), and each
 * frame then goes to every client as one datagram of base64 JPEG, made
 * smaller first (in a worker) when it would not fit. The tutorial has no
 * handshake: a forged greeting makes this send to an address that never
 * asked, which is why clients are few and are dropped after 10 minutes of
 * silence, and why this output is off unless asked for.
 */
export class TutorialOutput {
  readonly stats: TutorialOutputStats = {
    frames: 0,
    datagrams: 0,
    bytes: 0,
    refitted: 0,
    unfit: 0,
    failed: 0,
  };
  #socket: DatagramSocket;
  #fitter: JpegFitter;
  #clients: TutorialClients;
  #onEvent: TutorialOutputOptions["onEvent"];
  #closed = false;
  #receiving: Promise<void>;

  constructor(options: TutorialOutputOptions) {
    this.#socket = options.socket;
    this.#fitter = options.fitter;
    this.#clients = options.clients ?? new TutorialClients();
    this.#onEvent = options.onEvent;
    this.#receiving = receiveDatagrams(this.#socket, (_datagram, from) => {
      const event = this.#clients.heard(from, wallClock());
      if (event !== undefined) this.#onEvent?.(event);
    }, {
      bufferSize: 2048,
      closed: () => this.#closed,
      onWork: options.onWork,
    });
  }

  /** The address clients greet. */
  get addr(): Deno.NetAddr {
    return this.#socket.addr;
  }

  /** How many clients are served now. */
  get receivers(): number {
    return this.#clients.size;
  }

  /** Sends one frame to every client; resolves once it is out. */
  async send(frame: Frame): Promise<void> {
    for (const event of this.#clients.expire(wallClock())) this.#onEvent?.(event);
    if (this.#closed || this.#clients.size === 0) return;
    let jpeg: Uint8Array | undefined;
    try {
      jpeg = await this.#fitter.fit(frame.data);
    } catch (error) {
      if (this.#closed) return;
      this.#unfit(`it could not be re-encoded (${errorLine(error)})`);
      return;
    }
    if (jpeg === undefined) {
      this.#unfit("even at a quarter of its size it is over 65,507 bytes in base64");
      return;
    }
    if (jpeg !== frame.data) this.stats.refitted++;
    const datagram = encodeTutorialFrame(jpeg);
    const to = this.#clients.addresses;
    if (this.#closed || to.length === 0) return;
    const failed = await this.#socket.sendMany(to.map(() => datagram), to)
      .catch(() => to.length);
    if (failed > 0 && this.stats.failed === 0) {
      this.#onEvent?.({ type: "send_failed", bytes: datagram.length });
    }
    this.stats.failed += failed;
    this.stats.frames++;
    this.stats.datagrams += to.length - failed;
    this.stats.bytes += datagram.length * (to.length - failed);
  }

  #unfit(reason: string): void {
    if (this.stats.unfit++ === 0) this.#onEvent?.({ type: "frame_unfit", reason });
  }

  /** Stops serving: closes the socket and the fitter's worker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    await this.#receiving;
    await this.#fitter.close();
  }
}

function errorLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}
