import assert from "node:assert/strict";
import { freeUdpPort, type LogLine, ToolProcess } from "./_tool.ts";

/** The most either tool's event loop may run late, start included: issue 11, "No stalls". */
const MAX_LAG_MS = 20;

interface LagFigures {
  max: number;
  p99: number;
}

interface FeedStats {
  framesDrawn: number;
  framesDiscarded: number;
}

/** The receiver's /stats. */
async function receiverStats(
  url: string,
): Promise<{ loopLagMs: LagFigures; signalFeed: FeedStats }> {
  const response = await fetch(`${url}stats`);
  assert.equal(response.status, 200);
  return await response.json();
}

/** Resolves once `done()` holds, checking every 100 ms; throws after `timeoutMs`. */
async function until(done: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function lagOf(line: LogLine): LagFigures {
  const lag = line.loopLagMs as LagFigures | undefined;
  assert.ok(lag !== undefined, `no loopLagMs in ${JSON.stringify(line)}`);
  return lag;
}

Deno.test("the sender and the receiver, started together, never hold their event loops up more than 20 ms", async () => {
  // All start at the same moment, as from a script: the sender draws its first
  // test pattern frames while its receiver joins and the stream begins, and a
  // receiver of no sender draws its "waiting" placeholder meanwhile.
  const port = freeUdpPort();
  const sender = new ToolProcess("sender", ["--source", "test", "--listen", `127.0.0.1:${port}`]);
  const receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
  const waiting = new ToolProcess("receiver", [
    `127.0.0.1:${freeUdpPort()}`,
    "--http",
    "127.0.0.1:0",
  ]);
  try {
    const url = String((await receiver.waitFor("listening")).url);
    const waitingUrl = String((await waiting.waitFor("listening")).url);
    await receiver.waitFor("state", (line) => line.to === "live");
    // The sender logs its stats 5 s after it started: about 5 s of streaming.
    const streaming = lagOf(await sender.waitFor("stats", () => true, 20_000));
    const live = await receiverStats(url);

    // The sender goes: its receiver draws "no signal" frames, one a second.
    await sender.stop();
    const senderEnd = lagOf(await sender.waitFor("stopped"));
    let lost = live;
    await until(
      async () => {
        lost = await receiverStats(url);
        return lost.signalFeed.framesDrawn >= live.signalFeed.framesDrawn + 2;
      },
      15_000,
      "two no-signal frames",
    );
    const placeholder = await receiverStats(waitingUrl);
    console.log(
      `loop lag (ms): sender ${JSON.stringify(streaming)} after 5 s, ` +
        `${JSON.stringify(senderEnd)} at its end; receiver ${JSON.stringify(live.loopLagMs)} ` +
        `streaming, ${JSON.stringify(lost.loopLagMs)} after ${lost.signalFeed.framesDrawn} ` +
        `no-signal frames; receiver of no sender ${JSON.stringify(placeholder.loopLagMs)} after ` +
        `${placeholder.signalFeed.framesDrawn} waiting placeholders`,
    );

    assert.ok(placeholder.signalFeed.framesDrawn >= 1, "the waiting placeholder was drawn");
    for (
      const [who, lag] of [
        ["sender, streaming", streaming],
        ["sender, at its end", senderEnd],
        ["receiver, streaming", live.loopLagMs],
        ["receiver, with no signal", lost.loopLagMs],
        ["receiver of no sender, waiting", placeholder.loopLagMs],
      ] as const
    ) {
      assert.ok(lag.p99 <= lag.max, `${who}: p99 ${lag.p99} ms above the max ${lag.max} ms`);
      assert.ok(lag.max <= MAX_LAG_MS, `${who}: the event loop ran ${lag.max} ms late`);
    }
    assert.ok(lost.loopLagMs.max >= live.loopLagMs.max, "the window counts from the start");
  } finally {
    await sender.stop();
    await receiver.stop();
    await waiting.stop();
  }
});

Deno.test("with a key, stretching it does not hold either event loop up", async () => {
  // scrypt takes about a quarter of a second by design: before the sockets exist.
  const key = ["--key", "a key long enough not to be warned about"];
  const port = freeUdpPort();
  const sender = new ToolProcess("sender", [
    "--source",
    "test",
    "--listen",
    `127.0.0.1:${port}`,
    ...key,
  ]);
  const receiver = new ToolProcess("receiver", [
    `127.0.0.1:${port}`,
    "--http",
    "127.0.0.1:0",
    ...key,
  ]);
  try {
    const url = String((await receiver.waitFor("listening")).url);
    await receiver.waitFor("state", (line) => line.to === "live");
    const streaming = lagOf(await sender.waitFor("stats", () => true, 20_000));
    const live = await receiverStats(url);
    console.log(
      `loop lag (ms), sealed: sender ${JSON.stringify(streaming)}, receiver ${
        JSON.stringify(live.loopLagMs)
      }`,
    );
    assert.ok(streaming.max <= MAX_LAG_MS, `sender: the event loop ran ${streaming.max} ms late`);
    assert.ok(
      live.loopLagMs.max <= MAX_LAG_MS,
      `receiver: the event loop ran ${live.loopLagMs.max} ms late`,
    );
  } finally {
    await sender.stop();
    await receiver.stop();
  }
});
