import type { Parity } from "../wire/data.ts";

/**
 * The parity datagrams of one frame, group by group (see `lib/wire/data.ts`:
 * group `g` covers the fragments whose index `i` has `i % groups == g`), and
 * how many fragments of each group are here: a group's parity rebuilds its
 * one missing fragment. A parity spent so stays, marking its group covered.
 * It does not keep the fragments: the frame XORs them in.
 */
export class ParityGroups {
  readonly #count: number;
  #groups = 0;
  #parity: Array<Uint8Array | undefined> = [];
  #taken = 0;
  #lastGroup = -1;
  /** Fragments here, by group; made with the first parity. */
  #received: Uint16Array | undefined;
  #held = 0;

  /** No parity yet, for a frame of `count` fragments. */
  constructor(count: number) {
    this.#count = count;
  }

  /** Parity datagrams taken, one a group. */
  get taken(): number {
    return this.#taken;
  }

  /** The bytes held: the parity payloads and the count of fragments by group. */
  get bytesHeld(): number {
    return this.#held;
  }

  /**
   * Takes one parity datagram, the fragments here being those marked 1 in
   * `seen`: 1 if it is new, 0 if its group's parity is here already, -1 if
   * its number of groups is not that of the parity before it.
   */
  add(packet: Parity, seen: Uint8Array): -1 | 0 | 1 {
    if (this.#groups === 0) {
      this.#groups = packet.groups;
      this.#received = new Uint16Array(packet.groups);
      this.#held += this.#received.byteLength;
      for (let i = 0; i < this.#count; i++) {
        if (seen[i] === 1) this.#received[i % packet.groups]++;
      }
    } else if (packet.groups !== this.#groups) {
      return -1;
    }
    if (this.#parity[packet.group] !== undefined) return 0;
    this.#parity[packet.group] = packet.payload.slice();
    this.#held += packet.payload.length;
    this.#taken++;
    if (packet.group > this.#lastGroup) this.#lastGroup = packet.group;
    return 1;
  }

  /** Records that fragment `index` is here now. */
  stored(index: number): void {
    if (this.#received !== undefined) this.#received[index % this.#groups]++;
  }

  /**
   * Whether parity still to come may cover fragment `index`: parity comes
   * group after group, and its group is after the last one seen and has none.
   */
  mayCome(index: number): boolean {
    const group = this.#groups > 0 ? index % this.#groups : -1;
    return group > this.#lastGroup && this.#parity[group] === undefined;
  }

  /**
   * The group of fragment `index`, if its parity is here and it lacks just
   * one fragment: the parity, to XOR the group's other fragments into, and
   * the stride between the group's fragments.
   */
  rebuildable(index: number): { group: number; groups: number; parity: Uint8Array } | undefined {
    if (this.#groups === 0) return undefined;
    const group = index % this.#groups;
    const parity = this.#parity[group];
    if (parity === undefined) return undefined;
    const members = Math.floor((this.#count - 1 - group) / this.#groups) + 1;
    if (this.#received![group] !== members - 1) return undefined;
    return { group, groups: this.#groups, parity };
  }
}
