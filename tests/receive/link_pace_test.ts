import assert from "node:assert/strict";
import { LinkPace } from "../../lib/receive/link_pace.ts";

const APART = { joined: false, refused: false, lastHeard: -Infinity };

/** The times in `times` at which `pace` says something is due, for the link as `state` says. */
function dueAt(
  pace: LinkPace,
  times: number[],
  state: (now: number) => { joined: boolean; refused: boolean; lastHeard: number },
): number[] {
  return times.filter((now) => pace.due(now, state(now)));
}

Deno.test("LinkPace says hello quickly at first, then once a second", () => {
  const pace = new LinkPace({ quickHelloMs: 50, quickHellosForMs: 200, helloMs: 1000 });
  const times = [0, 20, 50, 99, 100, 150, 199, 250, 300, 1000, 1199, 1200];
  assert.deepEqual(dueAt(pace, times, () => APART), [0, 50, 100, 150, 1199]);
});

Deno.test("LinkPace says no quick hellos while refused", () => {
  const pace = new LinkPace();
  const times = [0, 50, 100, 999, 1000, 2000];
  assert.deepEqual(dueAt(pace, times, () => ({ ...APART, refused: true })), [0, 1000, 2000]);
});

Deno.test("LinkPace keeps alive at its pace, quickly while the sender is silent", () => {
  const pace = new LinkPace({ keepaliveMs: 250, quickHelloMs: 50 });
  const heard = (now: number) => ({ joined: true, refused: false, lastHeard: now });
  assert.deepEqual(dueAt(pace, [0, 50, 249, 250, 400, 500], heard), [0, 250, 500]);
  const silent = { joined: true, refused: false, lastHeard: 500 };
  assert.deepEqual(dueAt(pace, [1000, 1049, 1050, 1100], () => silent), [1000, 1050, 1100]);
});

Deno.test("LinkPace quick hellos start afresh each time the link is apart", () => {
  const pace = new LinkPace({ quickHelloMs: 50, quickHellosForMs: 100, helloMs: 1000 });
  assert.deepEqual(dueAt(pace, [0, 50, 100, 150], () => APART), [0, 50]);
  pace.joined();
  assert.deepEqual(dueAt(pace, [5000, 5050, 5100], () => APART), [5000, 5050]);
});

Deno.test("LinkPace.sent() puts the next message a full wait later", () => {
  const pace = new LinkPace({ quickHelloMs: 50 });
  assert.equal(pace.due(0, APART), true);
  pace.sent(40);
  assert.equal(pace.due(50, APART), false);
  assert.equal(pace.due(90, APART), true);
});

Deno.test("LinkPace.staleHello() allows one hello per helloMs", () => {
  const pace = new LinkPace({ helloMs: 1000, quickHelloMs: 50 });
  const cases: Array<[number, boolean]> = [[0, true], [10, false], [999, false], [1000, true]];
  for (const [now, allowed] of cases) assert.equal(pace.staleHello(now), allowed, `at ${now}`);
  // The hello allowed counts as sent.
  assert.equal(pace.due(1020, APART), false);
});
