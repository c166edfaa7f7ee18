import assert from "node:assert/strict";
import { UsageError } from "../../lib/cli/cli_error.ts";
import { ImpairRelay, type ImpairRelayOptions } from "../../scripts/impair/impair_relay.ts";
import { LinkImpairment } from "../../scripts/impair/link_impairment.ts";
import type { LinkProfile } from "../../scripts/impair/link_profile.ts";
import { parseRelayArgs } from "../../scripts/impair/relay_args.ts";

// Off by default since Deno 2.8: these tests are about closing every socket and timer.
Deno.test.sanitizer({ ops: true, resources: true });

/** Admits `count` packets of `bytes`, the i-th at `at(i)`, and returns each one's delivery times. */
function run(
  link: LinkImpairment,
  count: number,
  options: { bytes?: number; at?: (i: number) => number } = {},
): number[][] {
  const { bytes = 1200, at = (i: number) => i } = options;
  return Array.from({ length: count }, (_, i) => link.admit(bytes, at(i)));
}

/** The lengths of the runs of consecutive lost packets. */
function lossRuns(results: number[][]): number[] {
  const runs: number[] = [];
  let length = 0;
  for (const times of results) {
    if (times.length === 0) {
      length++;
    } else if (length > 0) {
      runs.push(length);
      length = 0;
    }
  }
  if (length > 0) runs.push(length);
  return runs;
}

Deno.test("LinkImpairment makes the same decisions for the same seed and others for another", () => {
  const profile: LinkProfile = {
    lossPercent: 10,
    duplicatePercent: 5,
    reorderPercent: 5,
    delayMs: 10,
    jitterMs: 5,
  };
  const decisions = (seed: number) => run(new LinkImpairment(profile, { seed }), 2000);
  assert.deepEqual(decisions(7), decisions(7));
  assert.notDeepEqual(decisions(7), decisions(8));
});

Deno.test("LinkImpairment loses the same packets for a seed however they are timed", () => {
  const profile = { lossPercent: 20, burstLength: 3, duplicatePercent: 10 };
  const lost = (at: (i: number) => number) =>
    run(new LinkImpairment(profile, { seed: 3 }), 5000, { at }).map((times) => times.length);
  assert.deepEqual(lost((i) => i), lost((i) => i * 7.3 + Math.sin(i) * 2));
});

Deno.test("LinkImpairment loses 5 % of 100k packets at random", () => {
  const link = new LinkImpairment({ lossPercent: 5 }, { seed: 1 });
  const results = run(link, 100_000);
  const lost = results.filter((times) => times.length === 0).length;
  assert.ok(lost >= 4700 && lost <= 5300, `lost ${lost}`);
  const c = link.counters;
  assert.equal(c.lost, lost);
  assert.equal(c.burstLost, 0);
  assert.equal(c.delivered, 100_000 - lost);
  assert.ok(Math.max(...lossRuns(results)) < 6, "independent losses rarely run long");
});

Deno.test("LinkImpairment loses 5 % in bursts of 4 packets on average", () => {
  const link = new LinkImpairment({ lossPercent: 5, burstLength: 4 }, { seed: 1 });
  const results = run(link, 100_000);
  const runs = lossRuns(results);
  const lost = runs.reduce((a, b) => a + b, 0);
  assert.ok(lost >= 4500 && lost <= 5500, `lost ${lost}`);
  const meanRun = lost / runs.length;
  assert.ok(meanRun >= 3.5 && meanRun <= 4.5, `mean run ${meanRun}`);
  assert.equal(link.counters.lost, lost);
  assert.equal(link.counters.burstLost, lost);
});

Deno.test("LinkImpairment keeps the loss when bursts that short cannot reach it", () => {
  const link = new LinkImpairment({ lossPercent: 80, burstLength: 2 }, { seed: 5 });
  const lost = run(link, 50_000).filter((times) => times.length === 0).length;
  assert.ok(lost >= 39_000 && lost <= 41_000, `lost ${lost}`);
  const all = new LinkImpairment({ lossPercent: 100, burstLength: 4 }, { seed: 5 });
  assert.ok(run(all, 1000).every((times) => times.length === 0));
});

Deno.test("LinkImpairment delivers about 2 % of packets twice, both copies together", () => {
  const link = new LinkImpairment({ duplicatePercent: 2 }, { seed: 1 });
  const results = run(link, 100_000);
  const twice = results.filter((times) => times.length === 2);
  assert.ok(twice.length >= 1800 && twice.length <= 2200, `duplicated ${twice.length}`);
  assert.ok(twice.every(([a, b]) => a === b));
  assert.equal(link.counters.duplicated, twice.length);
  assert.equal(link.counters.delivered, 100_000 + twice.length);
});

Deno.test("LinkImpairment holds a reordered packet back until the next one overtakes it", () => {
  const link = new LinkImpairment({ reorderPercent: 10 }, { seed: 1 });
  const results = run(link, 10_000);
  const held = results.map(([due], i) => due > i);
  let overtaken = 0;
  for (let i = 0; i + 1 < results.length; i++) {
    if (!held[i]) continue;
    assert.equal(results[i][0], i + 3, "held back by the default 3 ms");
    if (held[i + 1]) continue;
    assert.ok(results[i][0] > results[i + 1][0], `packet ${i} is overtaken`);
    overtaken++;
  }
  const reordered = held.filter(Boolean).length;
  assert.equal(link.counters.reordered, reordered);
  assert.ok(reordered >= 900 && reordered <= 1100, `reordered ${reordered}`);
  assert.ok(overtaken > 800);
});

Deno.test("LinkImpairment delays by delay ± jitter and keeps the order", () => {
  for (const spacing of [20, 0.5]) {
    const link = new LinkImpairment({ delayMs: 20, jitterMs: 5 }, { seed: 1 });
    const at = (i: number) => i * spacing;
    const results = run(link, 10_000, { at });
    const offsets = results.map(([due], i) => due - at(i));
    assert.ok(offsets.every((offset) => offset >= 15 && offset <= 25), `spacing ${spacing}`);
    for (let i = 1; i < results.length; i++) assert.ok(results[i][0] >= results[i - 1][0]);
    if (spacing > 10) assert.ok(Math.max(...offsets) - Math.min(...offsets) > 9, "it varies");
  }
  const clipped = new LinkImpairment({ jitterMs: 5 }, { seed: 1 });
  assert.ok(run(clipped, 1000).every(([due], i) => due >= i && due <= i + 5));
});

Deno.test("LinkImpairment paces packets at the rate cap and drops what overflows the queue", () => {
  const link = new LinkImpairment({ rateMbps: 10 }, { seed: 1 });
  // 1250 bytes are 10,000 bits: 1 ms each at 10 Mbit/s.
  const results = run(link, 150, { bytes: 1250, at: () => 0 });
  const departures = results.filter((times) => times.length > 0).map(([due]) => due);
  assert.equal(departures.length, 100, "a 100 ms queue holds 100 packets");
  departures.forEach((due, i) => assert.ok(Math.abs(due - (i + 1)) < 1e-9, `${due}`));
  assert.ok(results.slice(100).every((times) => times.length === 0), "the tail is dropped");
  assert.equal(link.counters.queueDrops, 50);
  assert.deepEqual(link.admit(1250, 200), [201], "an empty queue sends at once");
});

Deno.test("LinkImpairment rejects a profile out of range", () => {
  assert.throws(() => new LinkImpairment({ lossPercent: 101 }, { seed: 1 }), RangeError);
  assert.throws(() => new LinkImpairment({ burstLength: 0.5 }, { seed: 1 }), RangeError);
  assert.throws(() => new LinkImpairment({ rateMbps: 0 }, { seed: 1 }), RangeError);
  assert.throws(() => new LinkImpairment({ delayMs: -1 }, { seed: 1 }), RangeError);
});

Deno.test("parseRelayArgs() applies link flags to both directions unless one is named", () => {
  const args = parseRelayArgs([
    "--target",
    "127.0.0.1:8080",
    "--loss",
    "5",
    "--down-loss",
    "10",
    "--up-delay",
    "20",
    "--rate",
    "2.5",
  ]);
  assert.ok(!args.help);
  assert.deepEqual(args.up, { lossPercent: 5, delayMs: 20, rateMbps: 2.5 });
  assert.deepEqual(args.down, { lossPercent: 10, rateMbps: 2.5 });
  assert.deepEqual(args.listen, { hostname: "127.0.0.1", port: 0 });
  assert.equal(args.seed, 1);
  assert.equal(args.everySeconds, 5);
  assert.deepEqual(parseRelayArgs(["--help", "--loss", "5"]), { help: true });
});

Deno.test("parseRelayArgs() rejects bad values with the flag's name", () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /--target is required/],
    [["--target", "127.0.0.1"], /--target needs a port/],
    [["--target", ":1", "--loss", "120"], /--loss needs a number from 0 to 100, got "120"/],
    [["--target", ":1", "--down-rate", "0"], /--down-rate needs a number above 0/],
    [["--target", ":1", "--burst", "0.5"], /--burst needs a number from 1/],
    [["--target", ":1", "--seed", "1.5"], /--seed needs a whole number/],
    [["--target", ":1", "--sideways-loss", "1"], /unknown flag --sideways-loss/],
  ];
  for (const [argv, pattern] of cases) {
    assert.throws(() => parseRelayArgs(argv), (error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, pattern);
      return true;
    });
  }
});

/** A datagram as a {@linkcode Peer} received it. */
interface Received {
  data: Uint8Array;
  from: Deno.NetAddr;
  at: number;
}

/** A socket on loopback that records what it receives and, as a target, echoes it. */
class Peer {
  readonly received: Received[] = [];
  #socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
  #loop: Promise<void>;

  constructor(options: { echo?: boolean } = {}) {
    this.#loop = this.#receive(options.echo ?? false);
  }

  get addr(): Deno.NetAddr {
    return this.#socket.addr as Deno.NetAddr;
  }

  async send(data: Uint8Array, to: Deno.NetAddr): Promise<void> {
    await this.#socket.send(data, to);
  }

  /** Resolves once `count` datagrams have arrived; throws after `ms`. */
  async waitFor(count: number, ms = 2000): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.received.length < count) {
      if (performance.now() > deadline) {
        throw new Error(`${this.received.length} datagrams of ${count} within ${ms} ms`);
      }
      await pause(2);
    }
  }

  async close(): Promise<void> {
    this.#socket.close();
    await this.#loop;
  }

  async #receive(echo: boolean): Promise<void> {
    try {
      for (;;) {
        const [bytes, addr] = await this.#socket.receive();
        const from = addr as Deno.NetAddr;
        this.received.push({ data: bytes, from, at: performance.now() });
        if (echo) await this.#socket.send(bytes, from);
      }
    } catch {
      // Closed.
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function numbered(n: number): Uint8Array {
  const data = new Uint8Array(64);
  new DataView(data.buffer).setUint32(0, n);
  return data;
}

function numberOf(data: Uint8Array): number {
  return new DataView(data.buffer, data.byteOffset).getUint32(0);
}

/** A relay in front of an echoing target, with `clients` sockets of its own. */
async function withRelay(
  options: Partial<ImpairRelayOptions> & { clients?: number },
  test: (setup: { relay: ImpairRelay; target: Peer; clients: Peer[] }) => Promise<void>,
): Promise<void> {
  const target = new Peer({ echo: true });
  const relay = new ImpairRelay({
    listen: { hostname: "127.0.0.1", port: 0 },
    target: target.addr,
    ...options,
  });
  const clients = Array.from({ length: options.clients ?? 1 }, () => new Peer());
  try {
    await test({ relay, target, clients });
  } finally {
    await relay.close();
    await Promise.all([target, ...clients].map((peer) => peer.close()));
  }
}

Deno.test("ImpairRelay carries packets to the target and the replies back, in order", async () => {
  await withRelay({ down: { delayMs: 2, jitterMs: 2 } }, async ({ relay, target, clients }) => {
    const [client] = clients;
    for (let i = 0; i < 200; i++) await client.send(numbered(i), relay.addr);
    await client.waitFor(200);
    assert.deepEqual(client.received.map(({ data }) => numberOf(data)), [...Array(200).keys()]);
    assert.ok(client.received.every(({ from }) => from.port === relay.addr.port));
    const ports = new Set(target.received.map(({ from }) => from.port));
    assert.equal(ports.size, 1, "one client, one source port");
    assert.notEqual([...ports][0], client.addr.port, "the target sees the relay, not the client");
  });
});

Deno.test("ImpairRelay with 100 % up loss lets nothing reach the target", async () => {
  await withRelay({ up: { lossPercent: 100 } }, async ({ relay, target, clients }) => {
    for (let i = 0; i < 20; i++) await clients[0].send(numbered(i), relay.addr);
    const deadline = performance.now() + 2000;
    while (relay.counters.up.packets < 20 && performance.now() < deadline) await pause(2);
    await pause(50);
    assert.equal(target.received.length, 0);
    assert.equal(clients[0].received.length, 0);
    const { up } = relay.counters;
    assert.equal(up.packets, 20);
    assert.equal(up.lost, 20);
    assert.equal(up.sent, 0);
  });
});

Deno.test("ImpairRelay in a blackout drops everything both ways, then relays again", async () => {
  const seen: Array<["up" | "down", number]> = [];
  const onDatagram = (direction: "up" | "down", data: Uint8Array) =>
    seen.push([direction, numberOf(data)]);
  await withRelay({ onDatagram }, async ({ relay, target, clients }) => {
    const [client] = clients;
    await client.send(numbered(0), relay.addr);
    await client.waitFor(1);
    relay.blackout = true;
    for (let i = 1; i <= 10; i++) await client.send(numbered(i), relay.addr);
    const deadline = performance.now() + 2000;
    while (relay.counters.up.blackoutDrops < 10 && performance.now() < deadline) await pause(2);
    await pause(50);
    assert.equal(target.received.length, 1, "nothing crossed in the blackout");
    assert.equal(relay.counters.up.blackoutDrops, 10);
    relay.blackout = false;
    await client.send(numbered(11), relay.addr);
    await client.waitFor(2);
    assert.deepEqual(client.received.map(({ data }) => numberOf(data)), [0, 11]);
    // The tap saw every datagram, dropped or not.
    assert.deepEqual(seen.filter(([d]) => d === "up").map(([, n]) => n), [...Array(12).keys()]);
  });
});

Deno.test("ImpairRelay injects datagrams from the addresses each side trusts", async () => {
  await withRelay({}, async ({ relay, target, clients }) => {
    const [client] = clients;
    await client.send(numbered(1), relay.addr);
    await client.waitFor(1);
    relay.inject("up", numbered(100));
    relay.inject("down", numbered(200));
    await target.waitFor(2);
    await client.waitFor(3);
    // Up: from the client's mapped port, as its own datagram came; down: from the relay's port.
    assert.equal(target.received[1].from.port, target.received[0].from.port);
    assert.equal(numberOf(target.received[1].data), 100);
    const injected = client.received.find(({ data }) => numberOf(data) === 200);
    assert.equal(injected?.from.port, relay.addr.port);
    assert.equal(relay.counters.up.injected, 1);
    assert.equal(relay.counters.down.injected, 1);
  });
});

Deno.test("ImpairRelay gives two clients two source ports and each its own replies", async () => {
  await withRelay({ clients: 2 }, async ({ relay, target, clients }) => {
    const [a, b] = clients;
    await a.send(numbered(1), relay.addr);
    await b.send(numbered(2), relay.addr);
    await a.waitFor(1);
    await b.waitFor(1);
    const ports = new Set(target.received.map(({ from }) => from.port));
    assert.equal(ports.size, 2);
    assert.deepEqual(a.received.map(({ data }) => numberOf(data)), [1]);
    assert.deepEqual(b.received.map(({ data }) => numberOf(data)), [2]);
    assert.equal(relay.counters.clients, 2);
  });
});

Deno.test("ImpairRelay with 20 ms of delay adds at least 20 ms to a round trip", async () => {
  await withRelay({ up: { delayMs: 12 }, down: { delayMs: 8 } }, async ({ relay, clients }) => {
    const [client] = clients;
    for (let i = 0; i < 5; i++) {
      const sent = performance.now();
      await client.send(numbered(i), relay.addr);
      await client.waitFor(i + 1);
      const rtt = client.received[i].at - sent;
      assert.ok(rtt >= 20, `round trip ${rtt.toFixed(2)} ms`);
      assert.ok(rtt < 500, `round trip ${rtt.toFixed(2)} ms`);
    }
  });
});

Deno.test("ImpairRelay.impair() changes a direction from the next packet on, for every client", async () => {
  await withRelay({}, async ({ relay, clients }) => {
    const [client] = clients;
    const roundTrip = async (i: number) => {
      const sent = performance.now();
      await client.send(numbered(i), relay.addr);
      await client.waitFor(i + 1);
      return client.received[i].at - sent;
    };
    assert.ok(await roundTrip(0) < 20, "no delay before the change");
    relay.impair("down", { delayMs: 50 });
    const after = await roundTrip(1);
    assert.ok(after >= 50 && after < 500, `round trip ${after.toFixed(2)} ms after +50 ms`);
    relay.impair("down", { lossPercent: 100 });
    await client.send(numbered(2), relay.addr);
    await pause(100);
    assert.equal(client.received.length, 2, "a lossy profile applies to the mapped client");
    assert.throws(() => relay.impair("up", { lossPercent: 101 }), RangeError);
  });
});

Deno.test("ImpairRelay counts what it did in each direction", async () => {
  const options = { up: { duplicatePercent: 100 }, down: { lossPercent: 100 } };
  await withRelay(options, async ({ relay, target, clients }) => {
    for (let i = 0; i < 10; i++) await clients[0].send(numbered(i), relay.addr);
    await target.waitFor(20);
    const deadline = performance.now() + 2000;
    while (relay.counters.down.packets < 20 && performance.now() < deadline) await pause(2);
    const { up, down, clients: mapped, strangers } = relay.counters;
    assert.deepEqual(
      [up.packets, up.bytes, up.duplicated, up.delivered, up.sent, up.lost],
      [10, 640, 10, 20, 20, 0],
    );
    assert.deepEqual([down.packets, down.lost, down.delivered, down.sent], [20, 20, 0, 0]);
    assert.equal(up.sendErrors + down.sendErrors + up.overflowDrops + down.overflowDrops, 0);
    assert.equal(mapped, 1);
    assert.equal(strangers, 0);
    assert.equal(clients[0].received.length, 0);
  });
});

Deno.test("ImpairRelay forgets an idle client and maps it again when it returns", async () => {
  await withRelay({ idleMs: 30 }, async ({ relay, clients }) => {
    const [client] = clients;
    await client.send(numbered(1), relay.addr);
    await client.waitFor(1);
    assert.equal(relay.counters.clients, 1);
    const deadline = performance.now() + 1000;
    while (relay.counters.clients > 0 && performance.now() < deadline) await pause(5);
    assert.equal(relay.counters.clients, 0);
    await client.send(numbered(2), relay.addr);
    await client.waitFor(2);
    assert.equal(relay.counters.clients, 1);
    assert.equal(relay.counters.up.packets, 2, "the forgotten mapping's counts are kept");
  });
});

Deno.test("ImpairRelay close() drops what is waiting and leaves no timer or socket", async () => {
  const target = new Peer({ echo: true });
  const client = new Peer();
  const relay = new ImpairRelay({
    listen: { hostname: "127.0.0.1", port: 0 },
    target: target.addr,
    up: { delayMs: 300 },
  });
  try {
    for (let i = 0; i < 5; i++) await client.send(numbered(i), relay.addr);
    const deadline = performance.now() + 2000;
    while (relay.counters.up.packets < 5 && performance.now() < deadline) await pause(2);
    assert.equal(relay.counters.up.packets, 5);
    await relay.close();
    await relay.close();
    assert.equal(target.received.length, 0);
    assert.equal(relay.counters.up.sent, 0);
  } finally {
    await relay.close();
    await client.close();
    await target.close();
  }
});

const root = new URL("../../", import.meta.url);

function relayCommand(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-net", "scripts/impair_relay.ts", ...args],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("impair_relay --help prints usage with examples; a bad flag exits 2", async () => {
  const decoder = new TextDecoder();
  const help = await relayCommand(["--help"]).output();
  assert.equal(help.code, 0);
  assert.match(decoder.decode(help.stdout), /Usage: .*--target HOST:PORT/);
  assert.match(decoder.decode(help.stdout), /Examples:/);
  const bad = await relayCommand(["--target", "127.0.0.1:8080", "--up-dup", "x"]).output();
  assert.equal(bad.code, 2);
  assert.equal(
    decoder.decode(bad.stderr),
    'error: --up-dup needs a number from 0 to 100, got "x"\n',
  );
});

Deno.test("impair_relay relays, prints JSON counters and exits 0 on SIGTERM", async () => {
  const target = new Peer({ echo: true });
  const client = new Peer();
  const child = relayCommand([
    "--target",
    `127.0.0.1:${target.addr.port}`,
    "--down-delay",
    "1",
    "--seed",
    "9",
    "--json",
    "--every",
    "0",
  ]).spawn();
  const lines: Record<string, unknown>[] = [];
  const reading = (async () => {
    let buffered = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) lines.push(JSON.parse(line));
    }
  })();
  const stderr = new Response(child.stderr).text();
  try {
    const deadline = performance.now() + 5000;
    while (lines.length === 0 && performance.now() < deadline) await pause(10);
    const start = lines[0] as { event: string; listen: string; seed: number };
    assert.equal(start.event, "start");
    assert.equal(start.seed, 9);
    const port = Number(start.listen.split(":").pop());
    await client.send(numbered(7), { transport: "udp", hostname: "127.0.0.1", port });
    await client.waitFor(1);
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await reading;
    await client.close();
    await target.close();
    assert.equal(status.code, 0, await stderr);
  }
  const counters = lines.at(-1) as { event: string; up: { sent: number }; down: { sent: number } };
  assert.equal(lines.length, 2);
  assert.equal(counters.event, "counters");
  assert.equal(counters.up.sent, 1);
  assert.equal(counters.down.sent, 1);
});
