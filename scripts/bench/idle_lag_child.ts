/**
 * A process that does nothing but measure its own event-loop lag, as the
 * tools do, and print it as JSON (`{ max, p99 }`, ms) when it gets SIGTERM:
 * what the machine alone holds an event loop up by, beside the tools.
 *
 * @module
 */
import { LoopLagMeter, loopLagReport } from "../../lib/metrics/loop_lag_meter.ts";

// Its own start (loading, compiling) is not the machine's: measured from 100 ms on.
await new Promise((resolve) => setTimeout(resolve, 100));
const meter = new LoopLagMeter();
Deno.addSignalListener("SIGTERM", () => {
  console.log(JSON.stringify(loopLagReport(meter.lag)));
  Deno.exit(0);
});
// Keeps the process alive: the meter's timer does not.
setInterval(() => {}, 60_000);
console.log("ready");
