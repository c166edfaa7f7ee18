import { hkdfSync, scryptSync } from "node:crypto";
import { KEY_SIZE, NONCE_SIZE, openDatagram, sealDatagram } from "./datagram_seal.ts";
import { NonceSequence } from "./nonce_sequence.ts";
import { SALT_SIZE } from "./packet.ts";
import { SessionCipher } from "./session_cipher.ts";

/** Keys shorter than this are accepted with a warning: they can be guessed offline. */
export const SHORT_KEY_LENGTH = 16;

/**
 * The secret both sides were given, and every key made from it.
 *
 * - The secret is stretched once with scrypt (N = 2^15, r = 8, p = 1; about
 *   0.1 s), so that a captured hello makes guessing a weak secret slow.
 * - The hello key (HKDF-SHA-256 of that, "udpcam 1 hello") seals HELLO and
 *   CHALLENGE, with random nonces: the sender cannot have a session with a
 *   receiver it has not heard from yet.
 * - Each sender run picks a random 16-byte salt and sends it in its
 *   CHALLENGE; the session keys are HKDF-SHA-256 of the stretched secret with
 *   that salt, one for each direction ("udpcam 1 sender", "udpcam 1
 *   receiver"). So every run of a sender has fresh keys, and its nonce
 *   counter can start again at 1.
 */
export class StreamSecret {
  #master: Uint8Array;
  #helloKey: Uint8Array;

  /** Stretches `secret` (about 0.1 s). */
  constructor(secret: string | Uint8Array) {
    if (secret.length === 0) throw new RangeError("The key is empty");
    this.#master = new Uint8Array(
      scryptSync(secret, "udpcam 1 key", 32, {
        N: 2 ** 15,
        r: 8,
        p: 1,
        maxmem: 64 * 1024 * 1024,
      }),
    );
    this.#helloKey = this.#derive(new Uint8Array(0), "udpcam 1 hello");
  }

  /** A fresh random session salt, for a sender starting. */
  static salt(): Uint8Array {
    return crypto.getRandomValues(new Uint8Array(SALT_SIZE));
  }

  /** Seals a HELLO or a CHALLENGE with the hello key and a random nonce. */
  sealHello(plain: Uint8Array): Uint8Array {
    return sealDatagram(plain, this.#helloKey, crypto.getRandomValues(new Uint8Array(NONCE_SIZE)));
  }

  /** Opens a HELLO or a CHALLENGE; `undefined` if it is not sealed with this secret. */
  openHello(sealed: Uint8Array): Uint8Array | undefined {
    return openDatagram(sealed, this.#helloKey)?.plain;
  }

  /** The sender's cipher for the session with `salt`. */
  sender(salt: Uint8Array): SessionCipher {
    return new SessionCipher({
      sendKey: this.#derive(salt, "udpcam 1 sender"),
      receiveKey: this.#derive(salt, "udpcam 1 receiver"),
      nonces: new NonceSequence(),
    });
  }

  /** A receiver's cipher for the session with `salt`. */
  receiver(salt: Uint8Array): SessionCipher {
    return new SessionCipher({
      sendKey: this.#derive(salt, "udpcam 1 receiver"),
      receiveKey: this.#derive(salt, "udpcam 1 sender"),
      nonces: NonceSequence.random(),
    });
  }

  #derive(salt: Uint8Array, info: string): Uint8Array {
    return new Uint8Array(hkdfSync("sha256", this.#master, salt, info, KEY_SIZE));
  }
}
