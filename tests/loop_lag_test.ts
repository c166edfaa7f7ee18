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
  // Both start at the same moment, as from a script: the receiver draws its
  // "waiting" placeholder while the sender draws its first test pattern frames,
  // and the stream begins while both are at their busiest.
  const port = freeUdpPort();
  const sender = new ToolProcess("sender", ["--source", "test", "--listen", `127.0.0.1:${port}`]);
  const receiver = new ToolProcess("receiver", [`127.0.0.1:${port}`, "--http", "127.0.0.1:0"]);
  try {
    const url = String((await receiver.waitFor("listening")).url);
    await receiver.waitFor("state", (line) => line.to === "live");
    // The sender logs its stats 5 s after it started: about 5 s of streaming.
    const stats = await sender.waitFor("stats", () => true, 20_000);
    const streaming = lagOf(stats);
    const atStart = await receiverStats(url);
    const drawnAtStart = atStart.signalFeed.framesDrawn + atStart.signalFeed.framesDiscarded;

    // The sender goes: the receiver draws "no signal" frames, one a second.
    await sender.stop();
    const senderLag = lagOf(await sender.waitFor("stopped"));
    let last = atStart;
    await until(
      async () => {
        last = await receiverStats(url);
        return last.signalFeed.framesDrawn >= atStart.signalFeed.framesDrawn + 2;
      },
      10_000,
      "two no-signal frames",
    );
    const receiverLag = last.loopLagMs;
    console.log(
      `loop lag: sender ${JSON.stringify(streaming)} after 5 s, ${JSON.stringify(senderLag)} ` +
        `at its end; receiver ${JSON.stringify(atStart.loopLagMs)} streaming, ` +
        `${JSON.stringify(receiverLag)} after ${last.signalFeed.framesDrawn} no-signal frames ` +
        `(${drawnAtStart} drawn at the start)`,
    );

    assert.ok(drawnAtStart >= 1, "the waiting placeholder was drawn as the stream began");
    for (
      const [who, lag] of [
        ["sender, streaming", streaming],
        ["sender, at its end", senderLag],
        ["receiver, streaming", atStart.loopLagMs],
        ["receiver, with no signal", receiverLag],
      ] as const
    ) {
      assert.ok(lag.p99 <= lag.max, `${who}: p99 ${lag.p99} ms above the max ${lag.max} ms`);
      assert.ok(lag.max <= MAX_LAG_MS, `${who}: the event loop ran ${lag.max} ms late`);
    }
    assert.ok(receiverLag.max >= atStart.loopLagMs.max, "the window counts from the start");
  } finally {
    await sender.stop();
    await receiver.stop();
  }
});
