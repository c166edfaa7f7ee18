import assert from "node:assert/strict";
import { parseScreenLatencyReport, ScreenLatency } from "../../lib/preview/screen_latency.ts";

Deno.test("ScreenLatency: percentiles over the last 10 s of reports, every sample in the histogram", () => {
  let now = 0;
  const meter = new ScreenLatency(() => now);
  const stats = (): object => meter.stats;
  assert.deepEqual(stats(), { p50: undefined, p99: undefined, samples: 0 });
  assert.equal(meter.add([10, 20, 30, 40, 1000]), 5);
  assert.deepEqual(stats(), { p50: 30, p99: 1000, samples: 5 });
  now = 9_000;
  meter.add([50]);
  assert.equal(meter.stats.samples, 6);
  now = 10_500; // the first report is older than 10 s
  assert.deepEqual(stats(), { p50: 50, p99: 50, samples: 1 });
  assert.equal(meter.histogram.count, 6);
});

Deno.test("ScreenLatency takes no nonsense and holds at most 4096 samples however much is reported", () => {
  const meter = new ScreenLatency(() => 0);
  assert.equal(meter.add([NaN, -1, 60_001, Infinity, 5]), 1);
  for (let i = 0; i < 100; i++) meter.add(Array(256).fill(i));
  assert.equal(meter.stats.samples, 4096);
  assert.equal(meter.stats.p99, 99);
});

Deno.test("parseScreenLatencyReport() reads camera and ms pairs in order, and refuses what is not one", () => {
  const parse = (query: string) =>
    parseScreenLatencyReport(new URL(`http://h/screen-latency?${query}`));
  assert.deepEqual(
    parse("camera=a&ms=1.5,2&camera=b&ms=3&camera=a&ms=4"),
    new Map([["a", [1.5, 2, 4]], ["b", [3]]]),
  );
  assert.deepEqual(parse("camera=a&ms="), new Map([["a", []]]));
  assert.equal(parse(""), undefined);
  assert.equal(parse("camera=a"), undefined);
  assert.equal(parse("camera=a&ms=1&ms=2"), undefined);
  assert.equal(parse(`camera=a&ms=${Array(257).fill(1).join(",")}`), undefined);
  const half = Array(129).fill(1).join(",");
  assert.equal(
    parse(`camera=a&ms=${half}&camera=a&ms=${half}`),
    undefined,
    "per camera, not per pair",
  );
});
