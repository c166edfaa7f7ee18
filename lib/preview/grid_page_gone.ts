/**
 * The cameras a `/stats` poll took away, which the grid page remembers so
 * that their frames still in `grid.mjpg` make no tile. Plain code, no page
 * around it, so the tests call it directly.
 *
 * @module
 */

/**
 * The most cameras remembered: the oldest taken away is forgotten first. Its
 * frames, if they still come, make a tile again, which the next poll takes
 * away again.
 */
const MAX_GONE = 256;

/** The cameras a poll took away, until a poll lists them again, at most 256. */
export class GoneCameras {
  /** The names, the one taken away longest ago first. */
  #names = new Set<string>();

  /** How many it remembers. */
  get size(): number {
    return this.#names.size;
  }

  /** Remembers `name` as gone, as the newest, forgetting the oldest beyond 256. */
  add(name: string): void {
    this.#names.delete(name);
    this.#names.add(name);
    for (const oldest of this.#names) {
      if (this.#names.size <= MAX_GONE) break;
      this.#names.delete(oldest);
    }
  }

  /** Whether `name` is remembered as gone. */
  has(name: string): boolean {
    return this.#names.has(name);
  }

  /** Forgets `name`: a poll lists it again. */
  delete(name: string): void {
    this.#names.delete(name);
  }
}
