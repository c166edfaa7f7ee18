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
  async stretch(salt: Uint8Array): Promise<StreamSecret> {
    const scryptSalt = new Uint8Array(SALT_LABEL.length + salt.length);
    scryptSalt.set(SALT_LABEL);
    scryptSalt.set(salt, SALT_LABEL.length);
    await takeTurn();
    try {
      return await new Promise((resolve, reject) => {
        scrypt(this.#secret, scryptSalt, 32, SCRYPT, (error, master) => {
          if (error) reject(error);
          else resolve(new StreamSecret(new Uint8Array(master), salt));
        });
      });
    } finally {
      endTurn();
    }
  }
}

/**
 * The most stretches at once in this process. Each holds 32 MB; a station
 * meeting many senders at once (64 announced on the LAN by anyone, each with
 * a salt of its own) would otherwise hold 2 GB, as the runtime's blocking
 * pool runs hundreds of threads.
 */
export const MAX_STRETCHES = 2;
let running = 0;
const queue: Array<() => void> = [];

/** How many stretches run now, and how many wait for their turn. */
export function stretchesNow(): { running: number; waiting: number } {
  return { running, waiting: queue.length };
}

/** Resolves once a stretch may run. */
function takeTurn(): Promise<void> {
  if (running < MAX_STRETCHES) {
    running++;
    return Promise.resolve();
  }
  return new Promise((resolve) => queue.push(resolve));
}

/** Hands the turn to the next stretch waiting, if any. */
function endTurn(): void {
  const next = queue.shift();
  if (next === undefined) running--;
  else next();
}
