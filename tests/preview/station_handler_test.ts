import assert from "node:assert/strict";
import { createStationHandler } from "../../lib/preview/station_handler.ts";
import { guardPreview } from "../../lib/preview/preview_guard.ts";
import { StationCameras } from "../../lib/preview/station_cameras.ts";
import { type MjpegPart, readMjpeg } from "../_mjpeg_client.ts";
import { fakeCamera, frameText } from "./_station_fixture.ts";

/** Serves `handler` on a free loopback port until `body` is done. */
async function serving(
  handler: (request: Request) => Response,
  body: (base: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  try {
    await body(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

function station(...names: string[]) {
  const cameras = new StationCameras();
  const fakes = names.map((name) => fakeCamera(name));
  for (const fake of fakes) cameras.add(fake.camera);
  const handler = createStationHandler({ cameras, stats: () => ({ eventLoopLagMs: { max: 1 } }) });
  return { cameras, fakes, handler };
}

Deno.test("grid.mjpg carries every camera's frames in one response, each part named by X-Camera", async () => {
  const { fakes, handler } = station("front", "back", "side");
  const timer = setInterval(() => fakes.forEach((fake, i) => fake.publish(Date.now() + i)), 20);
  const parts: MjpegPart[] = [];
  try {
    await serving(handler, async (base) => {
      const response = await fetch(`${base}/grid.mjpg`);
      assert.match(
        response.headers.get("content-type")!,
        /^multipart\/mixed; boundary=udpcam[0-9a-f]{32}$/,
      );
      await response.body!.cancel();
      await readMjpeg(`${base}/grid.mjpg`, { durationMs: 600, onPart: (part) => parts.push(part) });
    });
  } finally {
    clearInterval(timer);
  }
  for (const name of ["front", "back", "side"]) {
    const own = parts.filter((part) => part.headers["x-camera"] === name);
    assert.ok(own.length >= 5, `${name}: ${own.length} parts`);
    // Each part is that camera's frame, with its number and capture time.
    for (const part of own) {
      assert.equal(frameText(part.body), `${name}:${part.headers["x-frame"]}`);
      assert.match(part.headers["x-timestamp"], /^\d+\.\d{6}$/);
    }
  }
});

Deno.test("grid.mjpg: a slow viewer gets each camera's newest frame, and one camera never starves another", async () => {
  const { fakes, handler } = station("busy", "quiet");
  const response = handler(new Request("http://127.0.0.1/grid.mjpg"));
  const reader = response.body!.getReader();
  await reader.read(); // the first boundary
  // Nothing read while busy publishes 50 frames and quiet one.
  for (let n = 1; n <= 50; n++) fakes[0].publish(n);
  fakes[1].publish(1);
  const texts: string[] = [];
  const decoder = new TextDecoder();
  // busy has a new frame at every read: quiet's one frame still gets its turn.
  for (let i = 0; i < 12; i++) {
    fakes[0].publish(51 + i);
    texts.push(decoder.decode((await reader.read()).value));
  }
  await reader.cancel();
  const bodies = texts.filter((text) => /^(busy|quiet):\d+$/.test(text));
  assert.ok(bodies.includes("quiet:1"), bodies.join(" "));
  assert.equal(bodies.filter((text) => text === "quiet:1").length, 1);
  // 49 of busy's first 50 frames were skipped, newest first: no backlog.
  assert.equal(
    bodies.filter((text) => /^busy:([1-9]|[1-4]\d)$/.test(text)).length,
    0,
    bodies.join(" "),
  );
  assert.ok(handler.grid.framesSkipped >= 1);
  assert.equal(handler.grid.viewers, 0);
});

Deno.test("grid.mjpg: a camera that joins is in the stream without a new request, one that leaves is not", async () => {
  const { cameras, fakes, handler } = station("a");
  const response = handler(new Request("http://127.0.0.1/grid.mjpg"));
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const nextBody = async () => {
    for (;;) {
      const text = decoder.decode((await reader.read()).value);
      if (/^\w+:\d+$/.test(text)) return text;
    }
  };
  fakes[0].publish(1);
  assert.equal(await nextBody(), "a:1");
  // The stream waits; a camera joining with a frame wakes it.
  const late = fakeCamera("late");
  const waiting = nextBody();
  cameras.add(late.camera);
  late.publish(7);
  assert.equal(await waiting, "late:7");
  cameras.remove("late");
  late.publish(8);
  fakes[0].publish(2);
  assert.equal(await nextBody(), "a:2");
  // The station closing ends the stream.
  cameras.close();
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
  }
  assert.equal(handler.grid.viewers, 0);
});

Deno.test("each camera has its own page, stream, snapshot and stats under /cam/NAME/; today's paths serve the first", async () => {
  const { fakes, handler } = station("front", "back");
  fakes[0].publish(3);
  fakes[1].publish(9);
  const get = async (path: string) => {
    const response = handler(new Request(`http://127.0.0.1${path}`));
    const body = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, type: response.headers.get("content-type"), body, response };
  };
  assert.equal(frameText((await get("/cam/back/snapshot.jpg")).body), "back:9");
  assert.equal(frameText((await get("/cam/front/snapshot.jpg")).body), "front:3");
  assert.equal(frameText((await get("/snapshot.jpg")).body), "front:3");
  const page = await get("/cam/back/");
  assert.equal(page.status, 200);
  assert.match(page.type!, /text\/html/);
  assert.match(new TextDecoder().decode(page.body), /stream\.mjpg/);
  const grid = await get("/");
  assert.match(new TextDecoder().decode(grid.body), /grid\.mjpg/);
  assert.notEqual(new TextDecoder().decode(grid.body), new TextDecoder().decode(page.body));
  const own = JSON.parse(new TextDecoder().decode((await get("/cam/back/stats")).body));
  assert.equal(own.sender, "back:8080");
  assert.equal((await get("/cam/back")).status, 308);
  assert.equal(
    (await get("/cam/back?token=x")).response.headers.get("location"),
    "/cam/back/?token=x",
  );
  assert.equal((await get("/cam/nobody/stream.mjpg")).status, 404);
  assert.equal((await get("/cam/%E0/stats")).status, 404);
  const stream = handler(new Request("http://127.0.0.1/cam/back/stream.mjpg"));
  assert.match(stream.headers.get("content-type")!, /x-mixed-replace/);
  await stream.body!.cancel();
});

Deno.test("/stats: the first camera at the top as before, an entry per camera, and the receiver's own", async () => {
  const { fakes, handler } = station("front", "back");
  fakes[1].publish(1);
  const stats = await handler(new Request("http://127.0.0.1/stats")).json();
  assert.equal(stats.sender, "front:8080");
  assert.equal(stats.name, "front");
  assert.deepEqual(stats.cameras.map((c: { name: string; path: string }) => [c.name, c.path]), [
    ["front", "/cam/front/"],
    ["back", "/cam/back/"],
  ]);
  assert.equal(stats.cameras[1].framesReceived, 1);
  assert.deepEqual(stats.cameras[0].screenLatencyMs, { samples: 0 });
  assert.deepEqual(stats.eventLoopLagMs, { max: 1 });
  assert.equal(stats.grid.viewers, 0);
  const grid = createStationHandler({ cameras: new StationCameras(), stats: () => ({}) });
  assert.equal((await grid(new Request("http://127.0.0.1/stats")).json()).cameras.length, 0);
  assert.equal(grid(new Request("http://127.0.0.1/stream.mjpg")).status, 503);
});

Deno.test("POST screen-latency takes a page's samples for its cameras, and only from the page's own origin", async () => {
  const { cameras, handler } = station("front", "back");
  const post = (query: string, headers: Record<string, string> = {}) =>
    handler(
      new Request(`http://127.0.0.1:8081/screen-latency?${query}`, {
        method: "POST",
        headers: { host: "127.0.0.1:8081", ...headers },
      }),
    );
  assert.equal(post("camera=front&ms=40,50,60&camera=back&ms=100&camera=nobody&ms=1").status, 204);
  assert.deepEqual(cameras.get("front")!.screenLatency.stats, { p50: 50, p99: 60, samples: 3 });
  assert.deepEqual(cameras.get("back")!.screenLatency.stats, { p50: 100, p99: 100, samples: 1 });
  // Another site's page may POST here without asking: refused, nothing taken.
  assert.equal(post("camera=front&ms=1,1,1,1", { origin: "http://evil.example" }).status, 403);
  assert.equal(post("camera=front&ms=1,1,1,1", { "sec-fetch-site": "cross-site" }).status, 403);
  assert.equal(
    post("camera=front&ms=1", { origin: "http://127.0.0.1:8081", "sec-fetch-site": "same-origin" })
      .status,
    204,
  );
  assert.equal(cameras.get("front")!.screenLatency.stats.samples, 4);
  assert.equal(post("camera=front").status, 400);
  assert.equal(post(`camera=front&ms=${Array(257).fill(1).join(",")}`).status, 400);
  assert.equal(handler(new Request("http://127.0.0.1/screen-latency")).status, 405);
  assert.equal(handler(new Request("http://127.0.0.1/stats", { method: "POST" })).status, 405);
  const stats = await handler(new Request("http://127.0.0.1/stats")).json();
  assert.equal(stats.cameras[1].screenLatencyMs.p50, 100);
});

Deno.test("time gives the receiver's clock, for pages to measure their offset to it", async () => {
  const { handler } = station("front");
  const before = Date.now();
  const { now } = await handler(new Request("http://127.0.0.1/time")).json();
  assert.ok(now >= before - 1 && now <= Date.now() + 1, `${now}`);
});

Deno.test("with grid off, / is the first camera's page, as for one sender", async () => {
  const cameras = new StationCameras();
  cameras.add(fakeCamera("only").camera);
  const handler = createStationHandler({ cameras, grid: false, stats: () => ({}) });
  const page = await handler(new Request("http://127.0.0.1/")).text();
  assert.doesNotMatch(page, /grid\.mjpg/);
  assert.match(page, /stream\.mjpg/);
  // The grid, and its latency to the screen, for one camera too.
  assert.match(await handler(new Request("http://127.0.0.1/grid.html")).text(), /grid\.mjpg/);
});

Deno.test("with --allow-embed each camera's stream and snapshot may be embedded, its page and stats not", async () => {
  const { fakes, handler } = station("front");
  fakes[0].publish(1);
  const serve = guardPreview(handler, { port: 8081, loopback: true, allowEmbed: true });
  const policy = async (path: string) => {
    const response = serve(new Request(`http://127.0.0.1:8081${path}`, { method: "HEAD" }));
    await response.body?.cancel();
    return response.headers.get("cross-origin-resource-policy");
  };
  assert.equal(await policy("/cam/front/stream.mjpg"), "cross-origin");
  assert.equal(await policy("/cam/front/snapshot.jpg"), "cross-origin");
  assert.equal(await policy("/snapshot.jpg"), "cross-origin");
  for (const path of ["/cam/front/", "/cam/front/stats", "/grid.mjpg", "/stats", "/"]) {
    assert.equal(await policy(path), "same-origin", path);
  }
});
