import assert from "node:assert/strict";
import type { Parity } from "../../lib/wire/mod.ts";
import { PacketType } from "../../lib/wire/mod.ts";
import { ParityGroups } from "../../lib/receive/parity_groups.ts";

/** A parity datagram of group `group` of `groups`, with `bytes` bytes of payload. */
function parity(group: number, groups: number, bytes = 8): Parity {
  return {
    type: PacketType.PARITY,
    session: 1,
    frame: 1,
    captureTime: 0,
    frameLength: 10 * bytes,
    fragmentSize: bytes,
    group,
    groups,
    payload: new Uint8Array(bytes).fill(group + 1),
  };
}

Deno.test("ParityGroups.add() takes each group's parity once, of one layout", () => {
  const groups = new ParityGroups(10);
  const seen = new Uint8Array(10);
  const cases: Array<[Parity, number, number]> = [
    // [parity, result, taken after]
    [parity(0, 3), 1, 1],
    [parity(0, 3), 0, 1],
    [parity(1, 4), -1, 1],
    [parity(2, 3), 1, 2],
  ];
  for (const [packet, result, taken] of cases) {
    assert.equal(groups.add(packet, seen), result, `group ${packet.group} of ${packet.groups}`);
    assert.equal(groups.taken, taken);
  }
  // Two payloads of 8 bytes, and a count per group of 2 bytes each.
  assert.equal(groups.bytesHeld, 2 * 8 + 3 * 2);
});

Deno.test("ParityGroups.rebuildable() finds a group that lacks just one fragment", () => {
  // 10 fragments in 3 groups: group 0 is 0, 3, 6, 9; group 1 is 1, 4, 7; group 2 is 2, 5, 8.
  const cases: Array<{ here: number[]; parities: number[]; index: number; group?: number }> = [
    { here: [], parities: [], index: 0 },
    { here: [0, 3, 6], parities: [], index: 9 },
    { here: [0, 3, 6], parities: [0], index: 9, group: 0 },
    { here: [0, 3], parities: [0], index: 9 },
    { here: [1, 4], parities: [1], index: 7, group: 1 },
    { here: [1, 4, 7], parities: [1], index: 1 },
    { here: [2, 5], parities: [0, 2], index: 8, group: 2 },
  ];
  for (const { here, parities, index, group } of cases) {
    const seen = new Uint8Array(10);
    const groups = new ParityGroups(10);
    // Half the fragments before the parity, half after, as they may come.
    const before = here.slice(0, 1);
    for (const i of before) seen[i] = 1;
    for (const g of parities) groups.add(parity(g, 3), seen);
    for (const i of here.slice(1)) {
      seen[i] = 1;
      groups.stored(i);
    }
    const found = groups.rebuildable(index);
    const name = JSON.stringify({ here, parities, index });
    assert.equal(found?.group, group, name);
    if (found !== undefined) {
      assert.equal(found.groups, 3);
      assert.deepEqual(found.parity, new Uint8Array(8).fill(group! + 1));
    }
  }
});

Deno.test("ParityGroups.mayCome() is true for groups after the last parity seen", () => {
  const none = new ParityGroups(10);
  assert.equal(none.mayCome(5), false, "no parity seen: no groups known");
  const groups = new ParityGroups(10);
  groups.add(parity(1, 4), new Uint8Array(10));
  const cases: Array<[number, boolean]> = [[0, false], [1, false], [2, true], [3, true], [6, true]];
  for (const [index, may] of cases) assert.equal(groups.mayCome(index), may, `fragment ${index}`);
});
