import { type Decoded, decodePacket } from "../wire/decode_packet.ts";
import { PacketType, sessionOf } from "../wire/header.ts";
import type { ReplayWindow } from "../seal/replay_window.ts";
import type { SessionCipher } from "../seal/session_cipher.ts";

/** The keys of one join. */
export interface JoinKeys {
  /** The session joined. */
  session: number;
  /** The nonce of the hello the join answered. */
  nonce: Uint8Array;
  /** Seals and opens the session's datagrams. */
  cipher: SessionCipher;
  /** The counters seen, to refuse replays. */
  window: ReplayWindow;
}

/** What {@linkcode SessionKeys.open} makes of a sealed datagram of a session. */
export type SessionOpened = Decoded | {
  ok: false;
  reason: "replayed" | "wrongKey" | "stale" | "malformed";
};

/**
 * The keys a receiver with a key seals and opens a session's datagrams
 * with: those of its join, those of a newer join until something opens with
 * them, and those that brought the sender's newest cookie. Pure: it never
 * touches a socket.
 */
export class SessionKeys {
  #current: JoinKeys | undefined;
  #next: JoinKeys | undefined;
  /** The keys of the join whose new cookie was taken last, until a CHALLENGE answers a hello. */
  #renewing: JoinKeys | undefined;

  /** The keys of the newest join, until something opens with them. */
  get next(): JoinKeys | undefined {
    return this.#next;
  }

  /** The keys of the join whose new cookie was taken last, until a CHALLENGE answers a hello. */
  get renewing(): JoinKeys | undefined {
    return this.#renewing;
  }

  /** Forgets which keys brought the last new cookie: a CHALLENGE answered a hello. */
  stopRenewing(): void {
    this.#renewing = undefined;
  }

  /** Takes the keys of a new join, used once something opens with them. */
  join(keys: JoinKeys): void {
    this.#next = keys;
  }

  /** Seals `plain` with the keys of the join; `undefined` before any. */
  seal(plain: Uint8Array): Uint8Array | undefined {
    return this.#current?.cipher.seal(plain);
  }

  /** A datagram of a session: opened with the keys of the join it belongs to. */
  open(datagram: Uint8Array): SessionOpened {
    const session = sessionOf(datagram);
    let known = false;
    for (const join of [this.#current, this.#next]) {
      if (join === undefined || join.session !== session) continue;
      known = true;
      const opened = join.cipher.open(datagram);
      if (opened === undefined) continue;
      if (!join.window.accept(opened.counter)) return { ok: false, reason: "replayed" };
      if (join === this.#next) {
        // The sender uses the new join's keys: the old ones are done with.
        this.#current = join;
        this.#next = undefined;
      }
      const decoded = decodePacket(opened.plain);
      if (!decoded.ok) return decoded;
      const packet = decoded.packet;
      const type = packet.type;
      if (type === PacketType.CHALLENGE && packet.nonce === undefined) {
        this.#renewing = join;
        return decoded;
      }
      return type === PacketType.DATA || type === PacketType.PARITY ||
          type === PacketType.ACK || type === PacketType.BYE
        ? decoded
        : { ok: false, reason: "malformed" };
    }
    return { ok: false, reason: known ? "wrongKey" : "stale" };
  }
}
