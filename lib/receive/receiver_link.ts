import {
  EMPTY_REPORT,
  encodeControl,
  type ReceiverReport,
  type SenderInfo,
} from "../wire/control.ts";
import { type Packet } from "../wire/decode_packet.ts";
import { RefusalReason } from "../wire/refused.ts";
import { PacketType } from "../wire/header.ts";
import { type LinkReason, NO_ANSWER_HINT_MS, type Refusal } from "./link_reason.ts";
import type { LinkEvent, LinkState } from "./link_state.ts";
import { LinkPace, type LinkPaceOptions } from "./link_pace.ts";
import { RoundTrip } from "./round_trip.ts";

/** A CHALLENGE that echoes a hello older than this, in ms, is a replay and ignored. */
const CHALLENGE_MAX_AGE_MS = 10_000;
/** While the sender was heard from this recently, in ms, a REFUSED is not believed. */
const REFUSED_QUIET_MS = 1000;
/**
 * A sign that nothing authenticates (see {@linkcode ReceiverLink.doubt}) is
 * weighed only once the sender has been silent this long, in ms...
 */
const DOUBT_QUIET_MS = 2000;
/** ...and believed at the third such sign in a row. */
const DOUBTS = 3;

/** Options for a {@linkcode ReceiverLink}. */
export interface ReceiverLinkOptions extends LinkPaceOptions {
  /** This receiver's id. @default a random 32-bit number */
  receiver?: number;
  /** What each keepalive reports. @default all zeros */
  report?: () => ReceiverReport;
  /**
   * Silence from the sender, in ms, after which it counts as gone.
   * @default {3000}
   */
  silenceMs?: number;
  /**
   * Time without a frame, in ms, after which a joined link is `stalled`.
   * @default {2000}
   */
  stallMs?: number;
  /** Called on joins, session changes and state changes. */
  onEvent?: (event: LinkEvent) => void;
}

/**
 * The receiver's side of the handshake, as a state machine fed with decoded
 * packets and a clock. It says what to send (hello, join, keepalive, bye) and
 * which DATA packets belong to the session joined; it never touches a socket.
 * Its states and the handshake are drawn in `docs/PROTOCOL.md`, "The
 * receiver's states".
 *
 * Its pace ({@linkcode LinkPace}) and round trip ({@linkcode RoundTrip}) are
 * their own; the state machine stays one class, a little over 300 lines,
 * as every packet it handles reads and moves the same state.
 */
export class ReceiverLink {
  /** This receiver's id, carried in every control message. */
  readonly receiver: number;
  /** When hellos and keepalives go out. */
  #pace: LinkPace;
  #report: () => ReceiverReport;
  #silenceMs: number;
  #stallMs: number;
  #onEvent: (event: LinkEvent) => void;
  #state: LinkState = "connecting";
  #reason: LinkReason = "noAnswer";
  #session = 0;
  #cookie: Uint8Array | undefined;
  #joined = false;
  #lastHeard = -Infinity;
  #firstTick: number | undefined;
  #lastFrame = -Infinity;
  /** Signs in a row that the keys differ, weighed while the sender is silent. */
  #doubts = 0;
  #roundTrip = new RoundTrip();
  #senderInfo: SenderInfo | undefined;

  /** Creates a link that has not yet sent anything. */
  constructor(options: ReceiverLinkOptions = {}) {
    this.receiver = options.receiver ?? crypto.getRandomValues(new Uint32Array(1))[0];
    this.#pace = new LinkPace(options);
    this.#report = options.report ?? (() => EMPTY_REPORT);
    this.#silenceMs = options.silenceMs ?? 3000;
    this.#stallMs = options.stallMs ?? 2000;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  /** The state now. */
  get state(): LinkState {
    return this.#state;
  }

  /** Why the link is in its state, as a code; {@linkcode linkReasonText} words it. */
  get reason(): LinkReason {
    return this.#reason;
  }

  /** The session joined or being joined; 0 before any answer. */
  get session(): number {
    return this.#session;
  }

  /** The last round trip measured, in ms. */
  get rttMs(): number | undefined {
    return this.#roundTrip.rttMs;
  }

  /**
   * The smoothed round trip (RFC 6298's SRTT, fed with the least of the last
   * three round trips), in ms.
   */
  get srttMs(): number | undefined {
    return this.#roundTrip.srttMs;
  }

  /** Who the sender says it is, from its latest ACK that said. */
  get senderInfo(): SenderInfo | undefined {
    return this.#senderInfo;
  }

  /** The cookie that proves this receiver to the sender, once it has one. */
  get cookie(): Uint8Array | undefined {
    return this.#joined ? this.#cookie : undefined;
  }

  /**
   * The sender's clock minus ours, in ms, from the round trip with the least
   * delay; add it to a local time to compare with a capture time.
   */
  get clockOffsetMs(): number {
    return this.#roundTrip.clockOffsetMs;
  }

  /**
   * What to send to the sender at `now` (ms, wall clock), if anything: a hello
   * while not joined (twenty a second for the first 10 s, then one a second), a
   * keepalive with its report four times a second while joined (twenty while
   * the sender is silent). Also
   * notices a sender gone silent and a stalled stream.
   */
  tick(now: number): Uint8Array | undefined {
    this.#firstTick ??= now;
    if (
      this.#state === "connecting" && this.#reason === "noAnswer" &&
      now - this.#firstTick >= NO_ANSWER_HINT_MS
    ) {
      this.#setState("connecting", "noAnswerLong");
    }
    if (this.#joined && now - this.#lastHeard > this.#silenceMs) {
      this.#joined = false;
      this.#setState("waiting", "senderSilent");
    }
    if (this.#state === "live" && now - this.#lastFrame > this.#stallMs) {
      this.#setState("stalled", "noFrames");
    }
    const joined = this.#joined && this.#cookie !== undefined;
    const refused = this.#state === "refused";
    if (!this.#pace.due(now, { joined, refused, lastHeard: this.#lastHeard })) return undefined;
    if (joined) {
      return encodeControl({
        type: PacketType.KEEPALIVE,
        session: this.#session,
        receiver: this.receiver,
        time: now,
        cookie: this.#cookie!,
        report: this.#report(),
      });
    }
    return this.#hello(now);
  }

  /**
   * Records at `now` that the sender will not stream to this receiver, and
   * why; the receiver keeps saying hello, and the next join ends it. A sender
   * heard from within the last second is believed over it.
   */
  refuse(why: Refusal, now: number): void {
    if (this.#joined) {
      if (now - this.#lastHeard < REFUSED_QUIET_MS) return;
      this.#joined = false;
    }
    this.#setState("refused", why);
  }

  /**
   * Weighs at `now` a sign that the keys differ or the sender has none,
   * which nothing authenticates: a REFUSED in the clear that answers nothing
   * this receiver sent, or an answer that does not open with its key. Anyone
   * can send those from the sender's address, so they are believed only at
   * the third in a row while the sender has been silent for 2 s: never
   * while it streams or is merely quiet a moment, and at once (three hellos
   * in) when it never answered otherwise.
   */
  doubt(why: Refusal, now: number): void {
    if (now - this.#lastHeard < DOUBT_QUIET_MS) return;
    if (++this.#doubts < DOUBTS) return;
    this.#doubts = 0;
    this.refuse(why, now);
  }

  /**
   * A hello to send now, at `now`, outside the usual pace: the receiver can
   * seal one it could not before (its key is stretched for the sender's salt).
   */
  helloNow(now: number): Uint8Array {
    this.#pace.sent(now);
    return this.#hello(now);
  }

  #heard(now: number): void {
    this.#lastHeard = now;
    this.#doubts = 0;
  }

  #hello(now: number): Uint8Array {
    return encodeControl({
      type: PacketType.HELLO,
      session: 0,
      receiver: this.receiver,
      time: now,
    });
  }

  /**
   * Takes one packet from the sender at `now` (ms, wall clock). Returns the
   * reply to send at once, if any, and for DATA whether it belongs to the
   * session joined.
   */
  handle(
    packet: Packet,
    now: number,
  ): { reply?: Uint8Array; accept?: boolean; sessionChanged?: boolean } {
    switch (packet.type) {
      case PacketType.CHALLENGE: {
        if (packet.receiver !== this.receiver) return {};
        const age = now - packet.echoTime;
        if (!(age >= -1 && age <= CHALLENGE_MAX_AGE_MS)) return {};
        this.#heard(now);
        const sessionChanged = packet.session !== this.#session;
        if (sessionChanged) {
          if (this.#session !== 0) {
            this.#onEvent({ type: "session_changed", from: this.#session, to: packet.session });
          }
          this.#session = packet.session;
          this.#joined = false;
          this.#roundTrip.forgetSamples();
          this.#senderInfo = undefined;
        }
        this.#cookie = packet.cookie;
        this.#pace.sent(now);
        return {
          sessionChanged,
          reply: encodeControl({
            type: PacketType.JOIN,
            session: packet.session,
            receiver: this.receiver,
            time: now,
            cookie: packet.cookie,
          }),
        };
      }
      case PacketType.ACK: {
        if (packet.receiver !== this.receiver || packet.session !== this.#session) return {};
        this.#heard(now);
        this.#roundTrip.measure(packet.echoTime, packet.senderTime, now);
        if (packet.info !== undefined) this.#senderInfo = packet.info;
        if (!this.#joined) {
          this.#joined = true;
          this.#pace.joined();
          this.#onEvent({
            type: "joined",
            session: this.#session,
            rttMs: this.#roundTrip.rttMs ?? 0,
          });
          if (this.#state !== "live") this.#setState("stalled", "joinedNoFrames");
        }
        return {};
      }
      case PacketType.BYE:
        if (
          packet.session === this.#session && packet.receiver === this.receiver && this.#joined
        ) {
          this.#joined = false;
          this.#setState("waiting", "senderBye");
        }
        return {};
      case PacketType.REFUSED:
        // A sender heard from just now is believed over it.
        if (now - this.#lastHeard < REFUSED_QUIET_MS) return {};
        if (packet.reason === RefusalReason.STALE) {
          // The sender has no session with this receiver: say hello, but
          // only at the pace of hellos however many come. The link stays
          // joined until a new join or the sender's silence ends it.
          return this.#pace.staleHello(now) ? { reply: this.#hello(now) } : {};
        }
        this.#joined = false;
        this.refuse(packet.reason, now);
        return {};
      case PacketType.DATA:
      case PacketType.PARITY:
        if (!this.#joined || packet.session !== this.#session) return { accept: false };
        this.#heard(now);
        return { accept: true };
      default:
        return {};
    }
  }

  /** Records that a whole frame was shown at `now`. */
  frameShown(now: number): void {
    this.#lastFrame = now;
    if (this.#state !== "live") this.#setState("live", "framesArriving");
  }

  /** The goodbye to send on a clean exit, if joined. */
  bye(): Uint8Array | undefined {
    if (!this.#joined || this.#cookie === undefined) return undefined;
    this.#joined = false;
    return encodeControl({
      type: PacketType.BYE,
      session: this.#session,
      receiver: this.receiver,
      cookie: this.#cookie,
    });
  }

  #setState(to: LinkState, reason: LinkReason): void {
    const from = this.#state;
    // A refusal, or a wait that has gone on, is news in the same state.
    if (from === to && (to !== "refused" && to !== "connecting" || reason === this.#reason)) return;
    this.#state = to;
    this.#reason = reason;
    this.#onEvent({ type: "state", from, to, reason });
  }
}
