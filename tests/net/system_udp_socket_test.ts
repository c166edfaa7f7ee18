import assert from "node:assert/strict";
import type { DatagramSocket } from "../../lib/net/datagram_socket.ts";
import { openDatagramSocket } from "../../lib/net/open_datagram_socket.ts";
import { systemUdpSocket } from "../../lib/net/system_udp_socket.ts";
import { withTimeout } from "../../lib/util/with_timeout.ts";
import { runArgs } from "../../scripts/permissions.ts";

const LOOPBACK = { hostname: "127.0.0.1", port: 0 };

function system(): DatagramSocket {
  const socket = systemUdpSocket(LOOPBACK);
  assert.ok(socket !== undefined, "Linux with --allow-ffi has the system socket");
  return socket;
}

/**
 * Everything `socket` receives until `count` datagrams or `ms`, as [bytes,
 * from port]: one receive under way at a time, started at once.
 */
async function collect(socket: DatagramSocket, count: number, ms = 2000) {
  const got: Array<[number[], number]> = [];
  const deadline = performance.now() + ms;
  let receiving: Promise<void> | undefined;
  while (got.length < count && performance.now() < deadline) {
    receiving ??= socket.receiveSome((datagram, from) => got.push([[...datagram], from.port]), 2048)
      .then(() => receiving = undefined);
    await withTimeout(receiving, Math.max(1, deadline - performance.now()));
  }
  return got;
}

Deno.test("the system socket is what both tools get on Linux, bound where asked", () => {
  const socket = openDatagramSocket(LOOPBACK);
  try {
    assert.equal(socket.kind, Deno.build.os === "linux" ? "system" : "deno");
    assert.equal(socket.addr.hostname, "127.0.0.1");
    assert.ok(socket.addr.port > 0);
  } finally {
    socket.close();
  }
  const deno = openDatagramSocket(LOOPBACK, "deno");
  assert.equal(deno.kind, "deno");
  deno.close();
  // IPv6 and names are left to Deno's socket.
  assert.equal(systemUdpSocket({ hostname: "::1", port: 0 }), undefined);
  assert.equal(systemUdpSocket({ hostname: "localhost", port: 0 }), undefined);
});

Deno.test("datagrams cross between the system socket and Deno's, both ways, in order and whole", async () => {
  const ours = system();
  const theirs = openDatagramSocket(LOOPBACK, "deno");
  try {
    // Fewer than Deno's socket holds (about 90), all sent in one call before it receives.
    const datagrams = Array.from(
      { length: 60 },
      (_, i) => new Uint8Array(1 + (i * 23) % 1400).fill(i),
    );
    assert.equal(await ours.sendMany(datagrams, datagrams.map(() => theirs.addr)), 0);
    const there = await collect(theirs, 60);
    assert.deepEqual(there, datagrams.map((d) => [[...d], ours.addr.port]));

    for (const datagram of datagrams.slice(0, 50)) await theirs.send(datagram, ours.addr);
    const here = await collect(ours, 50);
    assert.deepEqual(here, datagrams.slice(0, 50).map((d) => [[...d], theirs.addr.port]));
  } finally {
    ours.close();
    theirs.close();
  }
});

Deno.test("the system socket sends and receives the largest datagram IPv4 carries", async () => {
  const a = system();
  const b = system();
  try {
    const big = new Uint8Array(65_507).map((_, i) => i % 251);
    await a.send(big, b.addr);
    let got: Uint8Array | undefined;
    await b.receiveSome((datagram) => got = datagram.slice(), 65_536);
    assert.deepEqual(got, big);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a datagram larger than the room for it is dropped, and the next one still arrives", async () => {
  const a = system();
  const b = system();
  try {
    await a.sendMany([new Uint8Array(3000).fill(1), new Uint8Array(100).fill(2)], [b.addr, b.addr]);
    const got = await collect(b, 1);
    assert.deepEqual(got, [[[...new Uint8Array(100).fill(2)], a.addr.port]]);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a datagram that cannot go fails alone: the rest of the batch goes out", async () => {
  const a = system();
  const b = system();
  try {
    const failed = await a.sendMany(
      [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array(70_000), new Uint8Array([3])],
      [b.addr, { transport: "udp", hostname: "::1", port: b.addr.port }, b.addr, b.addr],
    );
    assert.equal(failed, 2);
    assert.deepEqual((await collect(b, 2)).map(([bytes]) => bytes), [[1], [3]]);
    await assert.rejects(a.send(new Uint8Array(70_000), b.addr));
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("binding a port already taken throws AddrInUse, as Deno's socket does", () => {
  const a = system();
  try {
    assert.throws(
      () => systemUdpSocket({ hostname: "127.0.0.1", port: a.addr.port }),
      Deno.errors.AddrInUse,
    );
    assert.throws(
      () => openDatagramSocket({ hostname: "127.0.0.1", port: a.addr.port }),
      Deno.errors.AddrInUse,
    );
  } finally {
    a.close();
  }
});

Deno.test("closing wakes a waiting receive at once, and later calls fail", async () => {
  const socket = system();
  const waiting = socket.receiveSome(() => {}, 2048);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closedAt = performance.now();
  socket.close();
  await assert.rejects(waiting, Deno.errors.BadResource);
  // The wait itself would give up after 1 s: closing ended it.
  const took = performance.now() - closedAt;
  assert.ok(took < 500, `${took} ms`);
  await assert.rejects(
    socket.sendMany([new Uint8Array(1)], [socket.addr]),
    Deno.errors.BadResource,
  );
  await assert.rejects(socket.receiveSome(() => {}, 2048), Deno.errors.BadResource);
  socket.close();
});

Deno.test("the system socket holds a 150-datagram burst that arrives while the thread is busy", async () => {
  // Deno's socket keeps the system's default buffer, about 90 of these.
  const a = system();
  const b = system();
  try {
    const burst = Array.from({ length: 150 }, (_, i) => new Uint8Array(1200).fill(i));
    // One call, and nothing received before all of it is sent.
    assert.equal(await a.sendMany(burst, burst.map(() => b.addr)), 0);
    const got = await collect(b, 150);
    assert.equal(got.length, 150);
    assert.deepEqual(got.map(([bytes]) => bytes[0]), burst.map((d) => d[0]));
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("a flood never holds the event loop: a timer still fires while datagrams keep arriving", async () => {
  const flood = openDatagramSocket(LOOPBACK, "deno");
  const socket = system();
  let received = 0;
  let flooding = true;
  const sending = (async () => {
    const datagram = new Uint8Array(1200);
    while (flooding) {
      await flood.send(datagram, socket.addr).catch(() => {});
    }
  })();
  const receiving = (async () => {
    while (flooding) await socket.receiveSome(() => received++, 2048);
  })();
  try {
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const took = performance.now() - started;
    assert.ok(took < 200, `a 20 ms timer fired after ${took} ms`);
    assert.ok(received > 0);
  } finally {
    flooding = false;
    await sending;
    socket.close();
    await receiving.catch(() => {});
    flood.close();
  }
});

Deno.test("each tool gets the system socket with the permissions it ships with, and Deno's without FFI", async () => {
  const script = new URL("./_socket_kind.ts", import.meta.url).pathname;
  const kindWith = async (args: string[]) => {
    const { stdout, success } = await new Deno.Command(Deno.execPath(), { args: [...args, script] })
      .output();
    assert.ok(success);
    return new TextDecoder().decode(stdout).trim();
  };
  const expected = Deno.build.os === "linux" ? "system" : "deno";
  assert.equal(await kindWith(runArgs("sender")), expected);
  assert.equal(await kindWith(runArgs("receiver")), expected);
  assert.equal(
    await kindWith(["run", "--quiet", "--unstable-net", "--allow-net", "--allow-read"]),
    "deno",
  );
  assert.equal(
    await kindWith([
      "run",
      "--quiet",
      "--unstable-net",
      "--allow-net=127.0.0.1",
      "--allow-ffi",
      "--allow-read",
    ]),
    "deno",
  );
});

Deno.test("a flood from another process faster than the handler can take never holds the event loop", async () => {
  const socket = system();
  // Long enough that a loaded machine still gets the checks done while it lasts.
  const floodMs = 6000;
  const flood = new Deno.Command(Deno.execPath(), {
    args: [
      ...runArgs("sender"),
      new URL("./_flood.ts", import.meta.url).pathname,
      `127.0.0.1:${socket.addr.port}`,
      String(floodMs),
    ],
    stdout: "piped",
  }).spawn();
  let flooding = true;
  const ended = flood.status.finally(() => flooding = false);
  let received = 0;
  let open = true;
  const receiving = (async () => {
    while (open) {
      await socket.receiveSome(() => {
        received++;
        // 20 µs a datagram: slower than the flood comes.
        const until = performance.now() + 0.02;
        while (performance.now() < until) {
          // Work.
        }
      }, 2048);
    }
  })();
  try {
    const reader = flood.stdout.getReader();
    await reader.read(); // "flooding"
    reader.releaseLock();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(received > 0, "the flood arrives");
    const before = received;
    // A loop held by the flood fires no timer until the flood ends; one that
    // takes a bounded batch a turn fires each within a turn or two.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(flooding, `timer ${i + 1} of 5 fired only after the ${floodMs} ms flood had ended`);
    }
    assert.ok(received > before, "datagrams kept coming in between the timers");
  } finally {
    open = false;
    try {
      flood.kill();
    } catch {
      // Done already.
    }
    await ended;
    await flood.stdout.cancel().catch(() => {});
    socket.close();
    await receiving.catch(() => {});
  }
});
