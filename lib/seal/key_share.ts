import { Buffer } from "node:buffer";
import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from "node:crypto";
import { SHARE_SIZE } from "../wire/handshake.ts";

/** An X25519 public key's DER (SPKI) form before its 32 raw bytes (RFC 8410). */
const SPKI_PREFIX = Uint8Array.from([
  0x30,
  0x2a,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x03,
  0x21,
  0x00,
]);

/**
 * One side's ephemeral X25519 key pair (RFC 7748): its public half, the
 * share, goes in the handshake; the secret both sides agree on from each
 * other's share goes into the keys of a join. Someone who sees both shares,
 * even a holder of the stream's key, cannot make that secret. A pair is made
 * in about 0.3 ms and an agreement takes about 0.1 ms, through `node:crypto`,
 * synchronously.
 */
export class KeyShare {
  /** The public key, 32 bytes, as the handshake carries it. */
  readonly share: Uint8Array;
  #privateKey: KeyObject;

  /** A fresh random key pair. */
  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync("x25519");
    const der = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
    this.share = der.slice(der.length - SHARE_SIZE);
    this.#privateKey = privateKey;
  }

  /**
   * The secret agreed with the owner of `share` (32 bytes); `undefined` for
   * a share that is not a key, or one of the few that would give every side
   * the same secret (all zeros).
   */
  agree(share: Uint8Array): Uint8Array | undefined {
    if (share.length !== SHARE_SIZE) return undefined;
    try {
      const der = new Uint8Array(SPKI_PREFIX.length + SHARE_SIZE);
      der.set(SPKI_PREFIX);
      der.set(share, SPKI_PREFIX.length);
      const publicKey = createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" });
      const secret = new Uint8Array(diffieHellman({ privateKey: this.#privateKey, publicKey }));
      return secret.some((b) => b !== 0) ? secret : undefined;
    } catch {
      return undefined;
    }
  }
}
