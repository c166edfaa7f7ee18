import assert from "node:assert/strict";
import { generateHttpToken } from "../../lib/preview/http_token.ts";
import { isLoopbackHost } from "../../lib/cli/host_port.ts";
import { guardPreview, SECURITY_HEADERS } from "../../lib/preview/preview_guard.ts";
import { LINK_STATE_LABELS } from "../../lib/receive/link_state.ts";
import { frame, get, setup } from "./_preview_fixture.ts";

Deno.test("/snapshot.jpg is 503 with a clear body before the first frame, then the newest", async () => {
  const { frames, handler } = setup();
  const before = handler(get("/snapshot.jpg"));
  assert.equal(before.status, 503);
  assert.match(await before.text(), /waiting for the sender/);
  frames.publish(frame(1));
  frames.publish(frame(2));
  const after = handler(get("/snapshot.jpg"));
  assert.equal(after.status, 200);
  assert.equal(after.headers.get("content-type"), "image/jpeg");
  assert.deepEqual(new Uint8Array(await after.arrayBuffer()), frame(2).data);
});

Deno.test("/stats serves the receiver's stats with the viewers' counters", async () => {
  const { handler } = setup();
  const response = handler(get("/stats"));
  assert.equal(response.headers.get("content-type"), "application/json");
  const body = await response.json();
  assert.equal(body.state, "live");
  assert.deepEqual(body.preview, {
    viewers: 0,
    framesServed: 0,
    framesSkipped: 0,
    framesCapped: 0,
    viewersDropped: 0,
  });
});

Deno.test("the preview serves its page, 404 for unknown paths and 405 for other methods", async () => {
  const { handler } = setup();
  const page = handler(get("/"));
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(await page.text(), /<img id="video" /);
  const missing = handler(get("/nope"));
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
  const post = handler(new Request("http://127.0.0.1/stats", { method: "POST" }));
  assert.equal(post.status, 405);
  await post.body?.cancel();
});

Deno.test("HEAD /stream.mjpg answers with the headers and opens no stream", () => {
  const { handler } = setup();
  const response = handler(new Request("http://127.0.0.1/stream.mjpg", { method: "HEAD" }));
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type")!, /multipart\/x-mixed-replace/);
  assert.equal(response.body, null);
  assert.equal(handler.stats.viewers, 0);
});

const PORT = 8081;
const TOKEN = "s3cret-token_0123";
const PATHS = ["/", "/stream.mjpg", "/snapshot.jpg", "/stats", "/favicon.svg", "/nope"];

/** The preview behind its guard, as the receiver serves it on `port`. */
function guarded(options: { loopback: boolean; token?: string }) {
  const { frames, handler } = setup();
  return { frames, handler, serve: guardPreview(handler, { port: PORT, ...options }) };
}

/** A request as a browser sends it to `host`, with more headers if any. */
function request(host: string, path: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://${host}${path}`, { method: "HEAD", headers: { host, ...headers } });
}

Deno.test("guardPreview() answers 401 on every path to a request without the token", async () => {
  const { handler, serve } = guarded({ loopback: false, token: TOKEN });
  for (const path of PATHS) {
    for (const method of ["GET", "HEAD", "POST"]) {
      const response = serve(new Request(`http://192.168.1.20:${PORT}${path}`, { method }));
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="udpcam"');
      assert.equal(response.headers.get("set-cookie"), null);
      const body = await response.text();
      assert.match(body, /^Token needed: .*\?token=.* from the receiver's log.*\n$/);
      assert.equal(body.trim().split("\n").length, 1, "one line");
    }
  }
  assert.equal(handler.stats.viewers, 0, "no stream opened for a stranger");
});

Deno.test("guardPreview() answers 403 to a wrong token, by query or bearer", async () => {
  const { handler, serve } = guarded({ loopback: false, token: TOKEN });
  const host = `192.168.1.20:${PORT}`;
  const wrong = [
    request(host, "/stream.mjpg?token=nope-nope"),
    request(host, `/stream.mjpg?token=${TOKEN}x`),
    request(host, `/stream.mjpg?token=${TOKEN.slice(0, -1)}`),
    request(host, `/stream.mjpg?token=${TOKEN.slice(0, -1)}4`), // same length, last one off
    request(host, "/stream.mjpg?token="),
    request(host, "/stream.mjpg", { authorization: "Bearer nope-nope" }),
    // The query decides over a right bearer token: an explicit wrong token is not let through.
    request(host, "/stream.mjpg?token=nope", { authorization: `Bearer ${TOKEN}` }),
  ];
  for (const req of wrong) {
    const response = serve(req);
    assert.equal(response.status, 403, `${req.url} ${[...req.headers]}`);
    assert.equal(response.headers.get("set-cookie"), null);
    assert.match(await response.text(), /^Wrong token: .*receiver's log.*\n$/);
  }
  assert.equal(handler.stats.viewers, 0);
});

Deno.test("guardPreview() takes the token as ?token= or bearer token", async () => {
  const { frames, serve } = guarded({ loopback: false, token: TOKEN });
  frames.publish(frame(1));
  const host = `192.168.1.20:${PORT}`;
  const right = [
    new Request(`http://${host}/snapshot.jpg?token=${encodeURIComponent(TOKEN)}`),
    new Request(`http://${host}/snapshot.jpg`, { headers: { authorization: `Bearer ${TOKEN}` } }),
    new Request(`http://${host}/snapshot.jpg`, { headers: { authorization: `bearer ${TOKEN}` } }),
  ];
  for (const req of right) {
    const response = serve(req);
    assert.equal(response.status, 200, `${req.url} ${[...req.headers]}`);
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), frame(1).data);
  }
});

Deno.test("guardPreview() sets no cookie and takes none: a browser sends cookies to every port", async () => {
  const { serve } = guarded({ loopback: false, token: TOKEN });
  const host = `192.168.1.20:${PORT}`;
  for (const path of PATHS) {
    const response = serve(new Request(`http://${host}${path}?token=${TOKEN}`));
    assert.notEqual(response.status, 401, path);
    assert.equal(response.headers.get("set-cookie"), null, path);
    await response.body?.cancel();
  }
  // Not even one named after this port, as an older receiver set.
  for (const cookie of [`udpcam_token_${PORT}=${TOKEN}`, `token=${TOKEN}`]) {
    const response = serve(new Request(`http://${host}/stats`, { headers: { cookie } }));
    assert.equal(response.status, 401, cookie);
    await response.body?.cancel();
  }
});

Deno.test("guardPreview() keeps a token with URL specials whole", async () => {
  const token = 'a+b/c=d;e,f"g%h&i#j';
  const { serve } = guarded({ loopback: false, token });
  const host = `192.168.1.20:${PORT}`;
  const page = serve(new Request(`http://${host}/stats?token=${encodeURIComponent(token)}`));
  assert.equal(page.status, 200);
  await page.body?.cancel();
  const raw = serve(new Request(`http://${host}/stats?token=${token}`));
  assert.equal(raw.status, 403, "unencoded, the & and # cut it short");
  await raw.body?.cancel();
});

Deno.test("guardPreview() on loopback asks no token, but one once given", () => {
  const open = guarded({ loopback: true }).serve;
  for (const path of PATHS.slice(0, -1)) {
    const response = open(request(`127.0.0.1:${PORT}`, path));
    assert.equal(response.status, path === "/snapshot.jpg" ? 503 : 200, path);
  }
  const closed = guarded({ loopback: true, token: TOKEN }).serve;
  assert.equal(closed(request(`127.0.0.1:${PORT}`, "/stats")).status, 401);
  assert.equal(closed(request(`127.0.0.1:${PORT}`, "/stats?token=nope-nope")).status, 403);
  assert.equal(closed(request(`127.0.0.1:${PORT}`, `/stats?token=${TOKEN}`)).status, 200);
});

Deno.test("guardPreview() on loopback refuses a Host not loopback with its port", async () => {
  const { handler, serve } = guarded({ loopback: true });
  const allowed = [
    `127.0.0.1:${PORT}`,
    `localhost:${PORT}`,
    `LocalHost:${PORT}`,
    `127.1.2.3:${PORT}`,
    `[::1]:${PORT}`,
    `[0:0:0:0:0:0:0:1]:${PORT}`,
  ];
  for (const host of allowed) {
    assert.equal(serve(request(host, "/stats")).status, 200, host);
  }
  const refused = [
    `evil.example:${PORT}`, // a DNS rebinding page
    `localhost.evil.example:${PORT}`,
    `127.0.0.1.nip.io:${PORT}`,
    `192.168.1.20:${PORT}`,
    `[::2]:${PORT}`,
    "127.0.0.1:8082", // another port
    "localhost", // port 80
    `user@127.0.0.1:${PORT}`,
    "",
  ];
  for (const host of refused) {
    const response = serve(
      new Request(`http://127.0.0.1:${PORT}/stream.mjpg`, { headers: { host } }),
    );
    assert.equal(response.status, 403, host);
    assert.match(await response.text(), /^Refused: .*open http:\/\/localhost:8081\/\n$/);
  }
  // The request's own URL is checked as well as its Host header.
  const absolute = serve(new Request(`http://evil.example:${PORT}/stats`));
  assert.equal(absolute.status, 403);
  await absolute.body?.cancel();
  assert.equal(handler.stats.viewers, 0);
  // Bound beyond loopback, the token protects, and any Host is taken.
  const lan = guarded({ loopback: false, token: TOKEN }).serve;
  assert.equal(lan(request(`evil.example:${PORT}`, `/stats?token=${TOKEN}`)).status, 200);
  // A Host on port 80 is right when the preview listens there.
  const port80 = guardPreview(setup().handler, { port: 80, loopback: true });
  assert.equal(port80(request("localhost", "/stats")).status, 200);
});

Deno.test("every response carries the security headers and no CORS header", async () => {
  const { serve } = guarded({ loopback: false, token: TOKEN });
  const host = `192.168.1.20:${PORT}`;
  const requests = [
    ...PATHS.map((path) => new Request(`http://${host}${path}?token=${TOKEN}`)),
    new Request(`http://${host}/stats?token=${TOKEN}`, { method: "HEAD" }),
    new Request(`http://${host}/stats?token=${TOKEN}`, { method: "POST" }), // 405
    new Request(`http://${host}/stats`), // 401
    new Request(`http://${host}/stats?token=nope-nope`), // 403
    new Request(`http://${host}/stats`, { headers: { origin: "http://evil.example" } }),
  ];
  const loopback = guarded({ loopback: true }).serve;
  const loopbackRequests = [
    request(`127.0.0.1:${PORT}`, "/"),
    request(`evil.example:${PORT}`, "/"), // refused Host
  ];
  const answered: Array<[Request, Response]> = [
    ...requests.map((req): [Request, Response] => [req, serve(req)]),
    ...loopbackRequests.map((req): [Request, Response] => [req, loopback(req)]),
  ];
  const statuses = new Set<number>();
  for (const [req, response] of answered) {
    statuses.add(response.status);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      assert.equal(response.headers.get(name), value, `${name} on ${req.method} ${req.url}`);
    }
    assert.match(response.headers.get("cache-control")!, /no-store/);
    assert.equal(response.headers.get("access-control-allow-origin"), null);
    await response.body?.cancel();
  }
  assert.deepEqual([...statuses].sort(), [200, 401, 403, 404, 405, 503]);
});

Deno.test("the Content-Security-Policy fits what the page uses", async () => {
  const csp = SECURITY_HEADERS["content-security-policy"];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  const html = await setup().handler(get("/")).text();
  // Inline script and style, both allowed; nothing loaded from another origin.
  assert.match(html, /<script>/);
  assert.match(csp, /script-src 'unsafe-inline'/);
  assert.match(html, /<style>/);
  assert.match(csp, /style-src 'unsafe-inline'/);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "nothing from elsewhere");
  assert.match(html, /video\.src = own\("stream\.mjpg\?t="/);
  assert.match(csp, /img-src 'self'/);
  assert.match(html, /fetch\(own\("stats"\)/);
  assert.match(csp, /connect-src 'self'/);
});

Deno.test("the page words each link state as the log does, and unreachable", async () => {
  const html = await setup().handler(get("/")).text();
  const labels = { ...LINK_STATE_LABELS, unreachable: "receiver unreachable" };
  assert.ok(
    html.includes(`LABELS = ${JSON.stringify(labels)};`),
    "the labels are in the page",
  );
  assert.doesNotMatch(html, /__LINK_STATE_LABELS__/);
  // One script and one style, no element the page's own sources stand for.
  assert.equal(html.split("<script").length - 1, 1);
  assert.equal(html.split("<style").length - 1, 1);
  assert.doesNotMatch(html, /<link rel="stylesheet"/);
});

Deno.test("isLoopbackHost() knows localhost, 127.0.0.0/8 and ::1 from the rest", () => {
  const cases: Array<[string, boolean]> = [
    ["localhost", true],
    ["LOCALHOST", true],
    ["127.0.0.1", true],
    ["127.255.255.254", true],
    ["::1", true],
    ["0:0:0:0:0:0:0:1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.20", false],
    ["128.0.0.1", false],
    ["::2", false],
    ["localhost.example", false],
    ["127.0.0.1.example", false],
    ["my-laptop", false],
    ["", false],
  ];
  for (const [hostname, expected] of cases) {
    assert.equal(isLoopbackHost(hostname), expected, hostname);
  }
});

Deno.test("generateHttpToken() makes 192 random bits in base64url, new each time", () => {
  const tokens = new Set(Array.from({ length: 100 }, generateHttpToken));
  assert.equal(tokens.size, 100, "no two alike");
  for (const token of tokens) {
    assert.match(token, /^[A-Za-z0-9_-]{32}$/);
    const bytes = Uint8Array.from(
      atob(token.replaceAll("-", "+").replaceAll("_", "/")),
      (c) => c.charCodeAt(0),
    );
    assert.equal(bytes.length * 8, 192);
  }
});

Deno.test("the page's icon is served as SVG, and the page links to it", async () => {
  const { handler } = setup();
  const icon = handler(get("/favicon.svg"));
  assert.equal(icon.status, 200);
  assert.equal(icon.headers.get("content-type"), "image/svg+xml");
  assert.match(await icon.text(), /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(await handler(get("/")).text(), /<link rel="icon" href="favicon.svg"/);
});

Deno.test("guardPreview() answers a browser opening the page without its token with a page to paste it in", async () => {
  const { serve } = guarded({ loopback: false, token: TOKEN });
  const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };
  for (
    const [target, status] of [["/", 401], [`/?token=${TOKEN}x`, 403], [
      "/cam/front/",
      401,
    ]] as const
  ) {
    const response = serve(
      new Request(`http://192.168.1.20:${PORT}${target}`, { headers: html }),
    );
    assert.equal(response.status, status);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    const page = await response.text();
    assert.match(page, /<input[^>]+name="token"/, "a field for the token");
    assert.match(page, /localStorage/, "a token kept by this browser for this origin is tried");
    assert.ok(!page.includes(TOKEN), "never the token itself");
  }
  // It sends the browser back to the path it asked for, written by the server: never to a
  // path that is another site (`//evil.example/`), where the kept token would go.
  const camera = serve(new Request(`http://192.168.1.20:${PORT}/cam/front/`, { headers: html }));
  assert.match(await camera.text(), /location\.replace\("\/cam\/front\/" \+ "\?token="/);
  for (const path of ["//evil.example/", "/cam/a/b/", "/x/"]) {
    const elsewhere = serve(new Request(`http://192.168.1.20:${PORT}${path}`, { headers: html }));
    assert.match(await elsewhere.text(), /^Token needed/, path);
  }
  // Anything else, or a client that does not ask for HTML, still gets the line.
  const stream = serve(new Request(`http://192.168.1.20:${PORT}/stream.mjpg`, { headers: html }));
  assert.match(await stream.text(), /^Token needed/);
  const curl = serve(new Request(`http://192.168.1.20:${PORT}/`));
  assert.match(await curl.text(), /^Token needed/);
});

Deno.test("guardPreview() with allowEmbed lets other origins embed the stream and the snapshot, and nothing else", async () => {
  for (const allowEmbed of [false, true]) {
    const { serve, frames } = (() => {
      const { frames, handler } = setup();
      return {
        frames,
        serve: guardPreview(handler, { port: PORT, loopback: false, token: TOKEN, allowEmbed }),
      };
    })();
    frames.publish(frame(1));
    const paths = ["/snapshot.jpg", "/stats", "/", "/stream.mjpg", "/grid.mjpg", "/favicon.svg"];
    for (const path of paths) {
      const response = serve(request(`192.168.1.20:${PORT}`, `${path}?token=${TOKEN}`));
      const embeddable = allowEmbed && (path === "/snapshot.jpg" || path === "/stream.mjpg");
      assert.equal(
        response.headers.get("cross-origin-resource-policy"),
        embeddable ? "cross-origin" : "same-origin",
        `${path} with allowEmbed ${allowEmbed}`,
      );
      await response.body?.cancel();
    }
    // Still behind the token.
    const without = serve(request(`192.168.1.20:${PORT}`, "/snapshot.jpg"));
    assert.equal(without.status, 401);
    await without.body?.cancel();
    frames.close();
  }
});
