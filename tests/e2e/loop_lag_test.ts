import assert from "node:assert/strict";
import { freeUdpPort, type LogLine, ToolProcess } from "../_tool.ts";

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
): Promise<{ eventLoopLagMs: LagFigures; signalFeed: FeedStats }> {
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

/**
 * Runs `measure` (one start of the tools, which returns each reading by who
 * took it) and checks every reading's max against {@linkcode MAX_LAG_MS},
 * up to three times while one is over. A stall of the tools' own (a
 * drawing, a key stretched on the main thread) comes back at every start;
 * the machine's own does not: these 2-core machines hold an idle process up
 * 20-40 ms now and then, at the same moments as both tools, and on some
 * days one start in two has such a moment.
 */
async function withinLimit(measure: () => Promise<Array<[string, LagFigures]>>): Promise<void> {
  const over: string[] = [];
  for (let run = 1; run <= 3; run++) {
    const readings = await measure();
    for (const [who, lag] of readings) {
      assert.ok(lag.p99 <= lag.max, `${who}: p99 ${lag.p99} ms above the max ${lag.max} ms`);
    }
    const late = readings.filter(([, lag]) => lag.max > MAX_LAG_MS);
    if (late.length === 0) return;
    over.push(
      `run ${run}: ${late.map(([who, lag]) => `${who} ran ${lag.max} ms late`).join(", ")}`,
    );
  }
  assert.fail(`the event loop ran over ${MAX_LAG_MS} ms late in every run: ${over.join("; ")}`);
}

function lagOf(line: LogLine): LagFigures {
  const lag = line.eventLoopLagMs as LagFigures | undefined;
  assert.ok(lag !== undefined, `no eventLoopLagMs in ${JSON.stringify(line)}`);
  return lag;
}

Deno.test("the sender and the receiver, started together, never hold their event loops up more than 20 ms", async () => {
  await withinLimit(startTogether);
});

async function startTogether(): Promise<Array<[string, LagFigures]>> {
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
        `${JSON.stringify(senderEnd)} at its end; receiver ${
          JSON.stringify(live.eventLoopLagMs)
        } ` +
        `streaming, ${JSON.stringify(lost.eventLoopLagMs)} after ${lost.signalFeed.framesDrawn} ` +
        `no-signal frames; receiver of no sender ${
          JSON.stringify(placeholder.eventLoopLagMs)
        } after ` +
        `${placeholder.signalFeed.framesDrawn} waiting placeholders`,
    );

    assert.ok(placeholder.signalFeed.framesDrawn >= 1, "the waiting placeholder was drawn");
    assert.ok(
      lost.eventLoopLagMs.max >= live.eventLoopLagMs.max,
      "the window counts from the start",
    );
    return [
      ["sender, streaming", streaming],
      ["sender, at its end", senderEnd],
      ["receiver, streaming", live.eventLoopLagMs],
      ["receiver, with no signal", lost.eventLoopLagMs],
      ["receiver of no sender, waiting", placeholder.eventLoopLagMs],
    ];
  } finally {
    await sender.stop();
    await receiver.stop();
    await waiting.stop();
  }
}

Deno.test("with a key, stretching it does not hold either event loop up", async () => {
  await withinLimit(startSealed);
});

async function startSealed(): Promise<Array<[string, LagFigures]>> {
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
        JSON.stringify(live.eventLoopLagMs)
      }`,
    );
    return [["sender", streaming], ["receiver", live.eventLoopLagMs]];
  } finally {
    await sender.stop();
    await receiver.stop();
  }
}
