import { openDatagram, type Opened, sealDatagram } from "./datagram_seal.ts";
import { NonceSequence } from "./nonce_sequence.ts";

/** Keys and nonces for one side of one session. */
export interface SessionCipherOptions {
  /** Seals what this side sends. */
  sendKey: Uint8Array;
  /** Opens what the other side sends. */
  receiveKey: Uint8Array;
  /** The nonces this side seals with. */
  nonces: NonceSequence;
}

/**
 * One side's view of a session with a key: it seals outgoing datagrams with
 * its own key and nonces, and opens the other side's. Each direction has its
 * own key, so the two sides' nonces can never meet.
 */
export class SessionCipher {
  #sendKey: Uint8Array;
  #receiveKey: Uint8Array;
  #nonces: NonceSequence;

  /** A cipher with the given keys and nonces. */
  constructor(options: SessionCipherOptions) {
    this.#sendKey = options.sendKey;
    this.#receiveKey = options.receiveKey;
    this.#nonces = options.nonces;
  }

  /** Seals a datagram in the clear, header included. */
  seal(plain: Uint8Array): Uint8Array {
    return sealDatagram(plain, this.#sendKey, this.#nonces.next());
  }

  /** Opens a sealed datagram from the other side; `undefined` if it does not authenticate. */
  open(sealed: Uint8Array): Opened | undefined {
    return openDatagram(sealed, this.#receiveKey);
  }
}
