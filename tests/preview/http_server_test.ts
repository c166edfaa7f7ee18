import assert from "node:assert/strict";
import {
  headEnd,
  MAX_HEADER_FIELDS,
  parseRequestHead,
  RequestHeadError,
} from "../../lib/preview/http_request_head.ts";
import { TcpClient } from "../_tcp_client.ts";
import { HttpServer } from "../../lib/preview/http_server.ts";
import type { HttpServerError, HttpServerOptions } from "../../lib/preview/http_server_options.ts";

const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("parseRequestHead() reads the request line and the fields, names in lower case", () => {
  const head = parseRequestHead(
    encoder.encode(
      "GET /stream.mjpg?fps=5 HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nX-Empty:\r\n" +
        "User-Agent:  curl/8 \t\r\nAccept: */*\r\n\r\n",
    ),
  );
  assert.deepEqual(head, {
    method: "GET",
    target: "/stream.mjpg?fps=5",
    version: "HTTP/1.1",
    headers: [
      ["host", "127.0.0.1:8081"],
      ["x-empty", ""],
      ["user-agent", "curl/8"],
      ["accept", "*/*"],
    ],
  });
  assert.equal(parseRequestHead(encoder.encode("HEAD / HTTP/1.0\r\n\r\n")).version, "HTTP/1.0");
});

Deno.test("parseRequestHead() refuses what breaks the grammar, with the status to answer", () => {
  const fields = Array.from({ length: MAX_HEADER_FIELDS + 1 }, (_, i) => `X-${i}: ${i}\r\n`);
  const cases: Array<[string, number, RegExp]> = [
    ["GET / HTTP/1.1\nHost: a\r\n\r\n", 400, /without CRLF/],
    ["GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400, /without CRLF/],
    ["GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400, /no name/],
    ["GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, /no name/],
    ["GET / HTTP/1.1\r\n: a\r\n\r\n", 400, /no name/],
    ["GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n", 400, /control characters/],
    ["GET  / HTTP/1.1\r\n\r\n", 400, /method, target and version/],
    ["GET / HTTP/1.1 x\r\n\r\n", 400, /method, target and version/],
    ["GET /\r\n\r\n", 400, /method, target and version/],
    ["G(T / HTTP/1.1\r\n\r\n", 400, /not a token/],
    ["GET /\x7f HTTP/1.1\r\n\r\n", 400, /white space or controls/],
    ["GET / HTTP/2.0\r\n\r\n", 505, /Only HTTP\/1.0 and HTTP\/1.1/],
    ["GET / http/1.1\r\n\r\n", 505, /Only HTTP\/1.0 and HTTP\/1.1/],
    [`GET / HTTP/1.1\r\n${fields.join("")}\r\n`, 431, /More than 100 header fields/],
    ["GET / HTTP/1.1\r\nHost: a\r\n", 400, /does not end/],
  ];
  for (const [text, status, message] of cases) {
    assert.throws(
      () => parseRequestHead(encoder.encode(text)),
      (error: unknown) =>
        error instanceof RequestHeadError && error.status === status &&
        message.test(error.message),
      JSON.stringify(text),
    );
  }
});

Deno.test("headEnd() finds the end of the head, or -1 while it is not whole", () => {
  const cases: Array<[string, number]> = [
    ["GET / HTTP/1.1\r\n\r\n", 18],
    ["GET / HTTP/1.1\r\n\r\nGET /next", 18],
    ["GET / HTTP/1.1\r\nHost: a\r\n", -1],
    ["GET / HTTP/1.1\r\n\r", -1],
    ["\r\r\n\r\n", 5],
    ["", -1],
  ];
  for (const [text, end] of cases) assert.equal(headEnd(encoder.encode(text)), end, text);
});

/** A server on 127.0.0.1 for `handler`, closed after `fn`. */
async function withServer(
  handler: (request: Request) => Response,
  options: Partial<HttpServerOptions>,
  fn: (server: HttpServer, port: number) => Promise<void>,
): Promise<void> {
  const server = new HttpServer(handler, { hostname: "127.0.0.1", port: 0, ...options });
  try {
    await fn(server, server.addr.port);
  } finally {
    await server.shutdown(100);
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await sleep(5);
  }
}

const hello = (request: Request) =>
  new Response(`hello ${new URL(request.url).pathname}`, { headers: { "x-test": "1" } });

Deno.test("HttpServer answers requests one after another on a kept-alive connection, chunked", async () => {
  await withServer(hello, {}, async (_server, port) => {
    const host = `Host: 127.0.0.1:${port}\r\n`;
    // Two requests in one write, and a third that closes.
    const raw = await TcpClient.open(port, {
      text: `GET /a HTTP/1.1\r\n${host}\r\nGET /b HTTP/1.1\r\n${host}\r\n`,
    });
    await until(() => raw.text.includes("hello /b"), "two answers");
    await raw.write(`GET /c HTTP/1.1\r\n${host}Connection: close\r\n\r\n`);
    const text = await raw.received;
    const answers = text.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 3, text);
    for (const [i, path] of ["/a", "/b", "/c"].entries()) {
      assert.match(answers[i], /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(answers[i], /\r\nx-test: 1\r\n/);
      assert.match(answers[i], /\r\ntransfer-encoding: chunked\r\n/);
      const body = `hello ${path}`;
      assert.ok(answers[i].endsWith(`\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`));
    }
    assert.doesNotMatch(answers[0] + answers[1], /connection: close/);
    assert.match(answers[2], /\r\nconnection: close\r\n/);
    // And fetch, which keeps its connection between requests, reads it too.
    for (const path of ["/d", "/e"]) {
      assert.equal(await (await fetch(`http://127.0.0.1:${port}${path}`)).text(), `hello ${path}`);
    }
  });
});

Deno.test("HttpServer answers HEAD without a body and HTTP/1.0 without chunks, closing after", async () => {
  await withServer(hello, {}, async (_server, port) => {
    const head = await TcpClient.open(port, {
      text:
        "HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    });
    const [first, second] = (await head.received).split(/(?=HTTP\/1\.1 )/);
    assert.match(first, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(first.endsWith("\r\n\r\n"), "no body after a HEAD");
    assert.doesNotMatch(first, /content-length|transfer-encoding/);
    assert.match(second, /hello \/b/);

    const old = await TcpClient.open(port, { text: "GET /old HTTP/1.0\r\n\r\n" });
    const text = await old.received;
    assert.match(text, /\r\nconnection: close\r\n\r\nhello \/old$/);
    assert.doesNotMatch(text, /transfer-encoding/);
  });
});

Deno.test("HttpServer refuses heads it cannot take, and closes", async () => {
  const seen: string[] = [];
  const handler = (request: Request) => {
    seen.push(request.url);
    return new Response("no");
  };
  await withServer(handler, { maxHeadBytes: 1024 }, async (_server, port) => {
    const cases: Array<[string, string]> = [
      ["GET / HTTP/1.1\r\n\r\n", "400 Bad Request"], // no Host
      ["GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "400 Bad Request"],
      ["GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "400 Bad Request"],
      ["GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", "400 Bad Request"],
      ["GET / HTTP/1.1\nHost: a\r\n\r\n", "400 Bad Request"],
      ["GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", "400 Bad Request"],
      ["GET * HTTP/1.1\r\nHost: a\r\n\r\n", "400 Bad Request"],
      ["CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", "400 Bad Request"],
      ["GET / HTTP/2.0\r\nHost: a\r\n\r\n", "505 HTTP Version Not Supported"],
      [
        `GET /${"a".repeat(2000)} HTTP/1.1\r\nHost: a\r\n\r\n`,
        "431 Request Header Fields Too Large",
      ],
    ];
    for (const [request, status] of cases) {
      const raw = await TcpClient.open(port, { text: request });
      const text = await raw.received;
      assert.match(text, new RegExp(`^HTTP/1\\.1 ${status}\\r\\n`), JSON.stringify(request));
      assert.match(text, /\r\nconnection: close\r\n/);
    }
    assert.deepEqual(seen, [], "no handler saw any of them");
  });
});

Deno.test("HttpServer keeps a target like //evil.example/ a path on the host the Host names", async () => {
  const seen: string[] = [];
  const handler = (request: Request) => {
    seen.push(`${request.method} ${request.url} ${request.headers.get("host")}`);
    return new Response("ok");
  };
  await withServer(handler, {}, async (_server, port) => {
    const requests = [
      "GET //evil.example/x HTTP/1.1\r\nHost: 127.0.0.1:8\r\nConnection: close\r\n\r\n",
      "GET http://other.example:9/y?z HTTP/1.1\r\nHost: 127.0.0.1:8\r\nConnection: close\r\n\r\n",
      "GET /old HTTP/1.0\r\n\r\n",
    ];
    for (const request of requests) await (await TcpClient.open(port, { text: request })).received;
    assert.deepEqual(seen, [
      "GET http://127.0.0.1:8//evil.example/x 127.0.0.1:8",
      // The absolute form as it is: the preview's guard checks it and the Host apart.
      "GET http://other.example:9/y?z 127.0.0.1:8",
      `GET http://127.0.0.1:${port}/old null`,
    ]);
  });
});

Deno.test("HttpServer closes an idle connection, a half head and a dripped head after headersTimeoutMs", async () => {
  await withServer(hello, { headersTimeoutMs: 200 }, async (server, port) => {
    const idle = await TcpClient.open(port);
    const half = await TcpClient.open(port, { text: "GET / HTTP/1.1\r\nHost: a\r\n" });
    const drip = await TcpClient.open(port, { text: "GET / HTTP/1.1\r\n" });
    const kept = await TcpClient.open(port, { text: "GET /kept HTTP/1.1\r\nHost: a\r\n\r\n" });
    for (let i = 0; i < 10 && await drip.write(`X-${i}: ${i}\r\n`); i++) await sleep(50);
    await Promise.all([idle, half, drip, kept].map((raw) => raw.received));
    for (const raw of [idle, half, drip]) {
      assert.equal(raw.text, "", "no answer");
      assert.ok(raw.closedAfterMs! >= 190 && raw.closedAfterMs! < 600, `${raw.closedAfterMs} ms`);
    }
    // A kept-alive connection answered once is closed when no next request comes in time.
    assert.match(kept.text, /hello \/kept/);
    assert.ok(kept.closedAfterMs! >= 190 && kept.closedAfterMs! < 600, `${kept.closedAfterMs} ms`);
    assert.equal(server.stats.timedOut, 4);
    assert.equal(server.stats.connections, 0);
  });
});

/** A body that gives `chunk` each time it is asked, until cancelled; `cancelled` counts those. */
function endless(chunk: Uint8Array, counts: { cancelled: number }) {
  return () =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(chunk);
        },
        cancel() {
          counts.cancelled++;
        },
      }, { highWaterMark: 0 }),
    );
}

Deno.test("HttpServer caps its connections: a new one takes an idle one's place, or is closed", async () => {
  const counts = { cancelled: 0 };
  const handler = (request: Request) =>
    new URL(request.url).pathname === "/stream"
      ? endless(new Uint8Array(16), counts)()
      : new Response("ok");
  await withServer(handler, { maxConnections: 3 }, async (server, port) => {
    const idle = [await TcpClient.open(port), await TcpClient.open(port)];
    await sleep(20);
    const third = await TcpClient.open(port);
    await sleep(20);
    // A fourth takes the place of the one that waited longest.
    const fourth = await TcpClient.open(port);
    await idle[0].received;
    assert.equal(idle[0].text, "");
    assert.equal(server.stats.refused, 1);
    // Three busy streams: a new connection has no idle one to replace, and is closed.
    for (const raw of [idle[1], third, fourth]) {
      await raw.write("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n");
    }
    await until(
      () => [idle[1], third, fourth].every((raw) => raw.text.length > 100),
      "three streams",
    );
    const refused = await TcpClient.open(port, { text: "GET /stats HTTP/1.1\r\nHost: a\r\n\r\n" });
    assert.equal(await refused.received, "");
    assert.equal(server.stats.refused, 2);
    assert.equal(server.stats.connections, 3);
    for (const raw of [idle[1], third, fourth]) await raw.close();
  });
});

Deno.test("HttpServer closes a connection that takes nothing for writeTimeoutMs, and cancels its body", async () => {
  const counts = { cancelled: 0 };
  await withServer(
    endless(new Uint8Array(256 * 1024), counts),
    { writeTimeoutMs: 300 },
    async (server, port) => {
      const reading = await TcpClient.open(port, { text: "GET / HTTP/1.1\r\nHost: a\r\n\r\n" });
      // Never reads: the socket buffers fill, then a write waits.
      const stuck = await TcpClient.open(port, {
        text: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        read: false,
      });
      await until(() => server.stats.stalled === 1, "the stuck one dropped", 10_000);
      // Its body is cancelled once the write that waited on it fails, a moment after.
      await until(() => counts.cancelled === 1, "its body cancelled", 2000);
      assert.equal(server.stats.connections, 1, "the one reading stays");
      await reading.close();
      await stuck.close();
    },
  );
});

Deno.test("HttpServer ends a connection whose body fails, even while a write to it waits", async () => {
  let fail: (error: Error) => void = () => {};
  const handler = () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          fail = (error) => controller.error(error);
        },
        pull(controller) {
          controller.enqueue(new Uint8Array(256 * 1024));
        },
      }, { highWaterMark: 0 }),
    );
  await withServer(handler, { writeTimeoutMs: 60_000 }, async (server, port) => {
    const stuck = await TcpClient.open(port, {
      text: "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
      read: false,
    });
    await sleep(300); // buffers full, a write waiting
    assert.equal(server.stats.connections, 1);
    fail(new Error("dropped"));
    await until(() => server.stats.connections === 0, "closed at once", 1000);
    await stuck.close();
  });
});

Deno.test("HttpServer answers 500 when the handler throws, and says why", async () => {
  const errors: HttpServerError[] = [];
  const handler = () => {
    throw new Error("broken handler");
  };
  await withServer(handler, { onError: (error) => errors.push(error) }, async (_server, port) => {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "Internal server error\n");
  });
  assert.equal(errors.length, 1);
  assert.equal(errors[0].type, "handler");
  assert.match(String(errors[0].error), /broken handler/);
});

Deno.test("HttpServer.shutdown() closes idle connections at once and gives a stream graceMs", async () => {
  const counts = { cancelled: 0 };
  const server = new HttpServer(endless(new Uint8Array(16), counts), {
    hostname: "127.0.0.1",
    port: 0,
  });
  const port = server.addr.port;
  const idle = await TcpClient.open(port);
  const streaming = await TcpClient.open(port, { text: "GET / HTTP/1.1\r\nHost: a\r\n\r\n" });
  await until(() => streaming.text.length > 100, "streaming");
  const started = performance.now();
  await server.shutdown(200);
  const took = performance.now() - started;
  await idle.received;
  await streaming.received;
  assert.ok(idle.closedAfterMs! < streaming.closedAfterMs!, "the idle one first");
  assert.ok(took >= 190 && took < 1000, `${took} ms`);
  assert.equal(counts.cancelled, 1);
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port }),
    Deno.errors.ConnectionRefused,
  );
});
