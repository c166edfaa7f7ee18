import type { FoundSender } from "../discover/discover_senders.ts";
import { cameraName, uniqueCameraName } from "../preview/camera_name.ts";
import { VERSION } from "../wire/header.ts";

/** The most cameras a station holds: enough for a wall of screens, and a bound on what the LAN can make the receiver hold. */
export const MAX_CAMERAS = 64;

/** What {@linkcode StationRoster.found} makes of a sender heard. */
export type Found =
  /** Join it, named so. */
  | { join: string }
  /** The station is full: say so (only the first time until one leaves). */
  | { full: boolean }
  /** Nothing: already a camera, or of another protocol version. */
  | undefined;

/**
 * Which senders `--all` joins, by address: each sender heard once, named
 * after what it announces (made unique), of this protocol only, and at most
 * {@linkcode MAX_CAMERAS} cameras in all, since anyone on the LAN can announce
 * senders. Pure bookkeeping: the caller joins and drops.
 */
export class StationRoster {
  #byAddress = new Map<string, string | undefined>();
  #taken: (name: string) => boolean;
  #max: number;
  #told = false;

  /**
   * A roster holding the senders named on the command line (`named`, by
   * `IP:PORT`), with `taken` telling a camera name in use.
   */
  constructor(named: string[], taken: (name: string) => boolean, max = MAX_CAMERAS) {
    for (const where of named) this.#byAddress.set(where, undefined);
    this.#taken = taken;
    this.#max = max;
  }

  /** A sender heard: join it, and as what, or not. */
  found(sender: FoundSender): Found {
    const where = `${sender.address}:${sender.port}`;
    if (this.#byAddress.has(where)) return undefined;
    if (sender.version !== undefined && sender.version !== VERSION) return undefined;
    if (this.#byAddress.size >= this.#max) {
      const first = !this.#told;
      this.#told = true;
      return { full: first };
    }
    // Its own names too: a camera it named may not be in the station yet.
    const own = new Set(this.#byAddress.values());
    const name = uniqueCameraName(cameraName(sender.name), (n) => own.has(n) || this.#taken(n));
    this.#byAddress.set(where, name);
    return { join: name };
  }

  /** A sender gone: the name of its camera to drop, if `--all` joined it. */
  gone(sender: FoundSender): string | undefined {
    const where = `${sender.address}:${sender.port}`;
    const name = this.#byAddress.get(where);
    if (name === undefined) return undefined;
    this.#byAddress.delete(where);
    this.#told = false;
    return name;
  }
}
