import assert from "node:assert/strict";
import { FrameOrder } from "../../lib/receive/frame_order.ts";

Deno.test("FrameOrder.admit() lets in frames above the floor only", () => {
  const order = new FrameOrder();
  const cases: Array<[string, number, string, number]> = [
    // [step, frame, admission or "", floor after]
    ["admit", 0, "ok", -1],
    ["emitted", 4, "", 4],
    ["admit", 4, "late", 4],
    ["admit", 3, "late", 4],
    ["admit", 5, "ok", 4],
    ["gaveUp", 2, "", 4],
    ["gaveUp", 7, "", 7],
    ["admit", 6, "late", 7],
    ["emitted", 6, "", 6],
    ["admit", 7, "ok", 6],
  ];
  for (const [step, frame, admission, floor] of cases) {
    if (step === "admit") assert.equal(order.admit(frame, 0), admission, `${step} ${frame}`);
    else if (step === "emitted") order.emitted(frame);
    else order.gaveUp(frame);
    assert.equal(order.floor, floor, `${step} ${frame}`);
  }
});

Deno.test("FrameOrder.admit() starts over after 30 late datagrams over a second", () => {
  const cases: Array<{ name: string; times: number[]; last: string }> = [
    {
      name: "30 over a second",
      times: Array.from({ length: 30 }, (_, i) => i * 35),
      last: "resync",
    },
    {
      name: "29 over two seconds",
      times: Array.from({ length: 29 }, (_, i) => i * 70),
      last: "late",
    },
    { name: "30 within 999 ms", times: Array.from({ length: 30 }, (_, i) => i * 34), last: "late" },
  ];
  for (const { name, times, last } of cases) {
    const order = new FrameOrder();
    order.emitted(1000);
    const admissions = times.map((now) => order.admit(5, now));
    assert.ok(admissions.slice(0, -1).every((a) => a === "late"), name);
    assert.equal(admissions.at(-1), last, name);
    if (last === "resync") {
      assert.equal(order.floor, -1);
      assert.equal(order.start(5), 0, "the highest frame is forgotten too");
    }
  }
});

Deno.test("FrameOrder.admit() counts late datagrams in a row only", () => {
  const order = new FrameOrder();
  order.emitted(10);
  for (let i = 0; i < 29; i++) assert.equal(order.admit(1, i * 100), "late");
  assert.equal(order.admit(11, 2900), "ok");
  assert.equal(order.admit(1, 3000), "late");
});

Deno.test("FrameOrder.start() says how many frames were skipped over", () => {
  const order = new FrameOrder();
  const cases: Array<[number, number]> = [
    [5, 0],
    [6, 0],
    [9, 2],
    [8, -1],
    [9, -1],
    [1010, 1000],
    [2012, 0],
  ];
  for (const [frame, skipped] of cases) assert.equal(order.start(frame), skipped, `${frame}`);
});
