import { scrypt } from "node:crypto";
import { StreamSecret } from "./stream_secret.ts";

/** scrypt's cost: 32 MB and 0.1 to 0.25 s for each stretch. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
/** What every stretch's salt starts with, before the sender's random salt. */
const SALT_LABEL = new TextEncoder().encode("udpcam 2 key ");

/**
 * The key both sides were given, as given: it seals nothing until it is
 * stretched with a sender run's salt. A sender stretches it once as it
 * starts; a receiver each time it meets a sender run with a new salt.
 */
export class StreamKey {
  #secret: Uint8Array;

  /**
   * Keeps `secret` (UTF-8 if a string).
   * @throws {RangeError} For an empty secret.
   */
  constructor(secret: string | Uint8Array) {
    if (secret.length === 0) throw new RangeError("The key is empty");
    this.#secret = typeof secret === "string" ? new TextEncoder().encode(secret) : secret.slice();
  }

  /**
   * The key stretched with `salt`. scrypt runs in the runtime's thread
   * pool, so the event loop goes on meanwhile (a socket may be open).
   */
  stretch(salt: Uint8Array): Promise<StreamSecret> {
    const scryptSalt = new Uint8Array(SALT_LABEL.length + salt.length);
    scryptSalt.set(SALT_LABEL);
    scryptSalt.set(salt, SALT_LABEL.length);
    return new Promise((resolve, reject) => {
      scrypt(this.#secret, scryptSalt, 32, SCRYPT, (error, master) => {
        if (error) reject(error);
        else resolve(new StreamSecret(new Uint8Array(master), salt));
      });
    });
  }
}
