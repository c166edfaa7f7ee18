import assert from "node:assert/strict";
import { SendHistory } from "../../lib/send/send_history.ts";

/** `count` datagrams of `size` bytes, each filled with its frame and index. */
function datagrams(frame: number, count: number, size = 100): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => new Uint8Array(size).fill(frame * 16 + i));
}

Deno.test("SendHistory.take() returns the datagrams asked for, as sent", () => {
  const history = new SendHistory();
  const sent = datagrams(5, 5);
  history.add(4, datagrams(4, 5), 0);
  history.add(5, sent, 0);
  const { datagrams: taken, missed, refused } = history.take(
    "a",
    { frame: 5, index: 1, count: 3 },
    10,
  );
  assert.deepEqual(taken, [sent[1], sent[2], sent[3]]);
  assert.deepEqual(taken.map((d) => d[0]), [0x51, 0x52, 0x53]);
  assert.equal(missed, 0);
  assert.equal(refused, 0);
});

Deno.test("SendHistory.take() counts what it does not hold as missed", () => {
  const history = new SendHistory();
  const sent = datagrams(5, 5);
  history.add(5, sent, 0);
  const cases: Array<
    [string, { frame: number; index: number; count: number }, Uint8Array[], number]
  > = [
    ["an unknown frame", { frame: 6, index: 0, count: 3 }, [], 3],
    ["a range running past the frame", { frame: 5, index: 3, count: 4 }, [sent[3], sent[4]], 2],
    ["a range starting past the frame", { frame: 5, index: 7, count: 2 }, [], 2],
  ];
  for (const [name, range, expected, missed] of cases) {
    assert.deepEqual(
      history.take(name, range, 0),
      { datagrams: expected, missed, refused: 0 },
      name,
    );
  }
});

Deno.test("SendHistory.take() refuses a fragment resent maxResends times to one receiver", () => {
  const history = new SendHistory({ maxResends: 2 });
  const sent = datagrams(1, 3);
  history.add(1, sent, 0);
  const range = { frame: 1, index: 0, count: 1 };
  assert.deepEqual(history.take("a", range, 0).datagrams, [sent[0]]);
  assert.deepEqual(history.take("a", range, 0).datagrams, [sent[0]]);
  assert.deepEqual(history.take("a", range, 0), { datagrams: [], missed: 0, refused: 1 });
  assert.deepEqual(history.take("b", range, 0).datagrams, [sent[0]], "another receiver");
  assert.deepEqual(
    history.take("a", { frame: 1, index: 0, count: 2 }, 0),
    { datagrams: [sent[1]], missed: 0, refused: 1 },
    "another fragment to the same receiver",
  );
});

Deno.test("SendHistory forgets frames older than maxAgeMs", () => {
  const history = new SendHistory({ maxAgeMs: 100 });
  history.add(1, datagrams(1, 2), 0);
  history.add(2, datagrams(2, 2), 50);
  assert.equal(history.take("a", { frame: 1, index: 0, count: 1 }, 100).datagrams.length, 1);
  const late = history.take("a", { frame: 1, index: 0, count: 2 }, 101);
  assert.deepEqual(late, { datagrams: [], missed: 2, refused: 0 });
  assert.equal(history.take("a", { frame: 2, index: 0, count: 1 }, 101).datagrams.length, 1);
  assert.equal(history.frames, 1);
  assert.equal(history.bytes, 200);
  history.prune(151);
  assert.equal(history.frames, 0);
  assert.equal(history.bytes, 0);
});

Deno.test("SendHistory keeps at most maxBytes, forgetting the oldest frames first", () => {
  const history = new SendHistory({ maxBytes: 500 });
  for (let frame = 1; frame <= 4; frame++) history.add(frame, datagrams(frame, 2), frame);
  // 4 frames of 200 bytes: only the newest 2 fit.
  assert.equal(history.frames, 2);
  assert.equal(history.bytes, 400);
  for (const [frame, held] of [[1, 0], [2, 0], [3, 1], [4, 1]]) {
    const { datagrams: taken } = history.take("a", { frame, index: 0, count: 1 }, 5);
    assert.equal(taken.length, held, `frame ${frame}`);
  }
});

Deno.test("SendHistory.add() of a frame it holds replaces it and counts its bytes once", () => {
  const history = new SendHistory();
  const again = datagrams(1, 2, 50);
  history.add(1, datagrams(1, 2), 0);
  history.add(1, again, 1);
  assert.equal(history.frames, 1);
  assert.equal(history.bytes, 100);
  assert.deepEqual(history.take("a", { frame: 1, index: 0, count: 2 }, 1).datagrams, again);
});

Deno.test("SendHistory.clear() forgets everything", () => {
  const history = new SendHistory();
  history.add(1, datagrams(1, 3), 0);
  history.add(2, datagrams(2, 3), 0);
  history.clear();
  assert.equal(history.frames, 0);
  assert.equal(history.bytes, 0);
  assert.deepEqual(history.take("a", { frame: 2, index: 0, count: 3 }, 0), {
    datagrams: [],
    missed: 3,
    refused: 0,
  });
});
