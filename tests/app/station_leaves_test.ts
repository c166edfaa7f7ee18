/**
 * A camera that leaves the station costs nothing once dropped: its socket,
 * its timers and the station's entries for it are gone.
 */
import assert from "node:assert/strict";
import { Station } from "../../lib/app/station.ts";
import { udpCamera } from "../../lib/app/start_station.ts";
import { Logger } from "../../lib/cli/logger.ts";
import { NoSignalRenderer } from "../../lib/preview/no_signal_renderer.ts";
import { createStationHandler } from "../../lib/preview/station_handler.ts";
import { stationMetrics } from "../../lib/preview/prometheus_metrics.ts";

/**
 * This process's open file descriptors, from `/proc/self/fd` (Linux): the
 * receivers' sockets are the system's own (see `openDatagramSocket`), not
 * in Deno's resource table.
 */
function descriptors(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

/** Counts the timers set and not yet fired or cleared, from now until `stop`. */
function countTimers(): { live: () => number; stop: () => void } {
  const native = { setTimeout, setInterval, clearTimeout, clearInterval };
  const live = new Set<number>();
  type Callback = (...args: unknown[]) => void;
  const wrapped = {
    setTimeout(callback: Callback, ms?: number, ...args: unknown[]): number {
      const id = Number(native.setTimeout(() => {
        live.delete(id);
        callback(...args);
      }, ms));
      live.add(id);
      return id;
    },
    setInterval(callback: Callback, ms?: number, ...args: unknown[]): number {
      const id = Number(native.setInterval(() => callback(...args), ms));
      live.add(id);
      return id;
    },
    clearTimeout(id?: number): void {
      if (id !== undefined) live.delete(id);
      native.clearTimeout(id);
    },
    clearInterval(id?: number): void {
      if (id !== undefined) live.delete(id);
      native.clearInterval(id);
    },
  };
  Object.assign(globalThis, wrapped);
  return { live: () => live.size, stop: () => Object.assign(globalThis, native) };
}

Deno.test("cameras that join and leave 40 times over leave no socket, timer or entry behind", async () => {
  const renderer = new NoSignalRenderer();
  await renderer.ready();
  const logger = new Logger({ format: "json", write: () => {} });
  const timers = countTimers();
  const station = new Station({ args: {}, renderer, logger, several: true });
  const handler = createStationHandler({ cameras: station.cameras, stats: () => ({}) });
  const metrics = stationMetrics(() => ({
    cameras: station.metrics(),
    loopLag: { maxMs: 0, p99Ms: 0 },
  }));
  try {
    const before = { descriptors: descriptors(), timers: timers.live() };
    // A silent port: each camera's link keeps asking, with its timers, until it leaves.
    const silent = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const port = (silent.addr as Deno.NetAddr).port;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 10; i++) {
        await station.add(udpCamera({ nack: true }, {
          name: `cam${i}`,
          sender: { hostname: "127.0.0.1", port },
          key: undefined,
          onWork: () => {},
          logger,
        }));
      }
      assert.equal(station.list.length, 10);
      assert.ok(descriptors() >= before.descriptors + 10, "a socket a camera");
      assert.match(metrics(), /camera="cam9"/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (let i = 0; i < 10; i++) await station.remove(`cam${i}`);
    }
    silent.close();
    assert.equal(station.list.length, 0);
    assert.equal(station.cameras.list.length, 0);
    const stats = await handler(new Request("http://127.0.0.1/stats")).json();
    assert.deepEqual(stats.cameras, []);
    assert.doesNotMatch(metrics(), /camera="/);
    assert.equal(descriptors(), before.descriptors, "every camera's socket closed");
    assert.equal(timers.live(), before.timers, "every camera's timers cleared");
  } finally {
    timers.stop();
    await station.close();
    await renderer.close();
  }
});
