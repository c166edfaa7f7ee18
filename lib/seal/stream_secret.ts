import { hkdfSync } from "node:crypto";
import { KEY_SIZE, NONCE_SIZE, openDatagram, sealDatagram } from "./datagram_seal.ts";
import type { NonceSequence } from "./nonce_sequence.ts";
import { SALT_SIZE } from "../wire/refused.ts";
import { SessionCipher } from "./session_cipher.ts";

/** Keys shorter than this are accepted with a warning: they can be guessed offline. */
export const SHORT_KEY_LENGTH = 16;

/** What both sides put in the keys of one join. */
export interface JoinKeyInput {
  /** The secret the two key shares agree on (see `key_share.ts`). */
  agreed: Uint8Array;
  /** The hello nonce the join answers: new for every join. */
  nonce: Uint8Array;
  /** The receiver's key share. */
  receiverShare: Uint8Array;
  /** The sender's key share. */
  senderShare: Uint8Array;
}

/**
 * The stream's key stretched for one run of a sender, and every key made
 * from it (made by `StreamKey.stretch`).
 *
 * - The key is stretched with scrypt (N = 2^15, r = 8, p = 1; 0.1 to 0.25 s)
 *   and a salt each sender run draws at random and tells anyone who says
 *   hello: a captured datagram makes guessing a weak key slow, and no
 *   dictionary can be worked out once for every stream.
 * - The hello key (HKDF-SHA-256 of that, "udpcam 2 hello") seals HELLO,
 *   the CHALLENGE and JOIN of a join (with the key tail) and the sender's
 *   REFUSED 4, with random nonces: any holder of the key can open and make
 *   them.
 * - Each join has keys of its own, one for each direction ("udpcam 2
 *   sender", "udpcam 2 receiver"): HKDF-SHA-256 of the stretched key and the
 *   secret the two sides' X25519 shares agree on, salted with the hello nonce
 *   and both shares. A holder of the key who sees the whole handshake still
 *   cannot make them, so it cannot seal a datagram that another receiver
 *   takes for the sender's, nor one the sender takes for that receiver's,
 *   nor read the new cookies sent to it.
 *
 * See `docs/PROTOCOL.md`, "The handshake with a key".
 */
export class StreamSecret {
  /** The salt the key was stretched with. */
  readonly salt: Uint8Array;
  #master: Uint8Array;
  #helloKey: Uint8Array;

  /** The secret for the stretched key `master` (32 bytes) and its `salt`. */
  constructor(master: Uint8Array, salt: Uint8Array) {
    if (master.length !== 32) throw new RangeError("A stretched key is 32 bytes");
    this.#master = master.slice();
    this.salt = salt.slice();
    this.#helloKey = hkdf(this.#master, new Uint8Array(0), "udpcam 2 hello");
  }

  /** A fresh random salt, for a sender starting. */
  static salt(): Uint8Array {
    return crypto.getRandomValues(new Uint8Array(SALT_SIZE));
  }

  /** Seals a handshake datagram with the hello key and a random nonce. */
  sealHello(plain: Uint8Array): Uint8Array {
    return sealDatagram(plain, this.#helloKey, crypto.getRandomValues(new Uint8Array(NONCE_SIZE)));
  }

  /** Opens a handshake datagram; `undefined` if it is not sealed with this secret. */
  openHello(sealed: Uint8Array): Uint8Array | undefined {
    return openDatagram(sealed, this.#helloKey)?.plain;
  }

  /** The sender's cipher for one join, sealing with `nonces`. */
  senderJoin(input: JoinKeyInput, nonces: NonceSequence): SessionCipher {
    const [sendKey, receiveKey] = this.#joinKeys(input, ["udpcam 2 sender", "udpcam 2 receiver"]);
    return new SessionCipher({ sendKey, receiveKey, nonces });
  }

  /** The receiver's cipher for one join, sealing with `nonces`. */
  receiverJoin(input: JoinKeyInput, nonces: NonceSequence): SessionCipher {
    const [sendKey, receiveKey] = this.#joinKeys(input, ["udpcam 2 receiver", "udpcam 2 sender"]);
    return new SessionCipher({ sendKey, receiveKey, nonces });
  }

  #joinKeys(input: JoinKeyInput, labels: [string, string]): [Uint8Array, Uint8Array] {
    const ikm = new Uint8Array(this.#master.length + input.agreed.length);
    ikm.set(this.#master);
    ikm.set(input.agreed, this.#master.length);
    const parts = [input.nonce, input.receiverShare, input.senderShare];
    const salt = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) {
      salt.set(part, at);
      at += part.length;
    }
    return [hkdf(ikm, salt, labels[0]), hkdf(ikm, salt, labels[1])];
  }
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", ikm, salt, info, KEY_SIZE));
}
