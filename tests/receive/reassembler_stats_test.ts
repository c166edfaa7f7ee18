import assert from "node:assert/strict";
import {
  emptyCounters,
  framesLost,
  reassemblerStats,
} from "../../lib/receive/reassembler_stats.ts";

Deno.test("reassemblerStats() copies the counters, with what is in progress", () => {
  const counters = emptyCounters();
  counters.packetsLost = 2.5;
  counters.framesDropped.late = 1;
  const stats = reassemblerStats(counters, { pendingBytes: 100, pendingFrames: 2 });
  assert.deepEqual(stats, {
    ...emptyCounters(),
    framesDropped: { late: 1, superseded: 0, evicted: 0, lost: 0, oversize: 0 },
    packetsLost: 3,
    pendingBytes: 100,
    pendingFrames: 2,
  });
  // A copy: counting on does not change what was returned.
  counters.framesDropped.late++;
  counters.packetsDropped.duplicate++;
  assert.equal(stats.framesDropped.late, 1);
  assert.equal(stats.packetsDropped.duplicate, 0);
});

Deno.test("framesLost() counts frames given up, not those never seen", () => {
  const cases: Array<[Partial<Record<string, number>>, number]> = [
    [{}, 0],
    [{ late: 1 }, 1],
    [{ late: 1, superseded: 2, evicted: 3, oversize: 4 }, 10],
    [{ lost: 7 }, 0],
  ];
  for (const [dropped, lost] of cases) {
    const framesDropped = { ...emptyCounters().framesDropped, ...dropped };
    assert.equal(framesLost(framesDropped), lost, JSON.stringify(dropped));
  }
});
