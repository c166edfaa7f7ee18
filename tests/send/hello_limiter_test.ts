import assert from "node:assert/strict";
import { HelloLimiter } from "../../lib/send/hello_limiter.ts";

/** The `i`-th of many distinct IPv4 addresses, each in a /24 of its own, as spoofed hellos would come from. */
function ip(i: number): string {
  return `10.${(i >> 8) & 255}.${i & 255}.1`;
}

Deno.test("HelloLimiter answers a burst from one address, then holds it to the rate", () => {
  const limiter = new HelloLimiter();
  for (let i = 0; i < 10; i++) assert.ok(limiter.allow("192.0.2.1", 0), `hello ${i}`);
  assert.equal(limiter.allow("192.0.2.1", 0), false, "the 11th at once");
  assert.equal(limiter.allow("192.0.2.1", 199), false, "5 a second: not before 200 ms");
  assert.ok(limiter.allow("192.0.2.1", 200));
  assert.equal(limiter.allow("192.0.2.1", 200), false);
  // A hello every 100 ms for 10 s more: one in two is answered.
  let answered = 0;
  for (let now = 300; now <= 10_200; now += 100) {
    if (limiter.allow("192.0.2.1", now)) answered++;
  }
  assert.equal(answered, 50);
  assert.deepEqual(limiter.stats, {
    allowed: 61,
    limited: 53,
    limitedGlobal: 0,
    limitedNetwork: 0,
    evicted: 0,
  });
});

Deno.test("HelloLimiter keeps addresses apart", () => {
  const limiter = new HelloLimiter();
  for (let i = 0; i < 10; i++) limiter.allow("192.0.2.1", 0);
  assert.equal(limiter.allow("192.0.2.1", 0), false);
  for (let i = 0; i < 10; i++) assert.ok(limiter.allow("192.0.2.2", 0), `hello ${i}`);
  assert.equal(limiter.allow("192.0.2.2", 0), false);
  assert.equal(limiter.size, 2);
});

Deno.test("HelloLimiter counts every port of one IP against one bucket", () => {
  const limiter = new HelloLimiter();
  let answered = 0;
  for (let port = 1024; port < 2024; port++) {
    const from: Deno.NetAddr = { transport: "udp", hostname: "198.51.100.9", port };
    if (limiter.allow(from.hostname, 0)) answered++;
  }
  assert.equal(answered, 10);
  assert.equal(limiter.size, 1);
});

Deno.test("HelloLimiter answers 10,000 spoofed addresses at most the global burst plus rate a second", () => {
  const limiter = new HelloLimiter();
  let answered = 0;
  // 10 hellos a ms, each from a new address, for one second.
  for (let i = 0; i < 10_000; i++) {
    if (limiter.allow(ip(i), i / 10)) answered++;
  }
  assert.ok(answered <= 400 + 200, `${answered} answered`);
  assert.ok(answered >= 595, `${answered} answered: the global limit is what holds`);
  const stats = limiter.stats;
  assert.equal(stats.allowed, answered);
  assert.equal(stats.limitedGlobal, 10_000 - answered);
  assert.ok(limiter.size <= 800, `${limiter.size} tracked`);
});

Deno.test("HelloLimiter holds the global rate through a long flood, within bounded memory", () => {
  const limiter = new HelloLimiter();
  const perSecond: number[] = [0, 0, 0, 0, 0];
  let largest = 0;
  for (let i = 0; i < 50_000; i++) {
    const now = i / 10;
    if (limiter.allow(ip(i), now)) perSecond[Math.floor(now / 1000)]++;
    largest = Math.max(largest, limiter.size);
  }
  assert.ok(perSecond[0] <= 600, `first second: ${perSecond[0]}`);
  for (let s = 1; s < 5; s++) assert.ok(perSecond[s] <= 201, `second ${s}: ${perSecond[s]}`);
  // Only addresses answered within the last 2 s are tracked: 400 + 200 * 2.
  assert.ok(largest <= 800, `${largest} tracked`);
  assert.ok(limiter.networks <= 800, `${limiter.networks} networks tracked`);
});

Deno.test("HelloLimiter tracks at most maxAddresses, evicting the one answered longest ago", () => {
  const limiter = new HelloLimiter({ maxAddresses: 100 });
  for (let i = 0; i < 1000; i++) {
    limiter.allow(ip(i), 0);
    assert.ok(limiter.size <= 100, `${limiter.size} tracked`);
  }
  assert.equal(limiter.size, 100);
  assert.deepEqual(limiter.stats, {
    allowed: 400,
    limited: 600,
    limitedGlobal: 600,
    limitedNetwork: 0,
    // Each answer evicts an address and its network.
    evicted: 600,
  });
});

Deno.test("HelloLimiter eviction never lets hellos past the global limit", () => {
  // Two addresses and room for one: each answer evicts the other, which then
  // comes back with a fresh burst. Only the global bucket holds them.
  const limiter = new HelloLimiter({ maxAddresses: 1, globalRate: 20, globalBurst: 40 });
  let answered = 0;
  for (let i = 0; i < 10_000; i++) {
    if (limiter.allow(ip(i % 2), i / 10)) answered++;
  }
  assert.ok(answered <= 40 + 20, `${answered} answered`);
  assert.ok(limiter.stats.evicted > 0);
});

Deno.test("HelloLimiter drops addresses whose bucket is full again", () => {
  const limiter = new HelloLimiter();
  for (let i = 0; i < 100; i++) limiter.allow(ip(i), 0);
  for (let i = 0; i < 10; i++) limiter.allow("192.0.2.1", 0);
  assert.equal(limiter.size, 101);
  // One answer each refills in 200 ms; a spent burst of 10 in 2 s.
  limiter.allow("192.0.2.2", 199);
  assert.equal(limiter.size, 102, "not yet full");
  limiter.allow("192.0.2.3", 200);
  assert.equal(limiter.size, 3, "the 100 are full again");
  limiter.allow("192.0.2.4", 2000);
  assert.equal(limiter.size, 1, "the spent burst too");
  // A forgotten address starts full: the same as had it been remembered.
  for (let i = 0; i < 10; i++) assert.ok(limiter.allow("192.0.2.1", 2000));
  assert.equal(limiter.allow("192.0.2.1", 2000), false);
});

Deno.test("HelloLimiter refills nothing while the clock steps back", () => {
  const limiter = new HelloLimiter();
  for (let i = 0; i < 10; i++) limiter.allow("192.0.2.1", 10_000);
  assert.equal(limiter.allow("192.0.2.1", 5000), false);
  assert.equal(limiter.allow("192.0.2.1", 5199), false);
  assert.ok(limiter.allow("192.0.2.1", 5200));
});

Deno.test("HelloLimiter refuses rates, bursts and sizes that cannot work", () => {
  const bad = [
    { perAddressRate: 0 },
    { perAddressBurst: 0.5 },
    { globalRate: -1 },
    { globalBurst: 0 },
    { globalRate: Infinity },
    { perNetworkRate: 0 },
    { perNetworkBurst: 0 },
    { maxAddresses: 0 },
    { maxAddresses: 1.5 },
  ];
  for (const options of bad) {
    assert.throws(() => new HelloLimiter(options), RangeError, JSON.stringify(options));
  }
});

Deno.test("HelloLimiter holds the hosts of one /24 to its share, and leaves other networks theirs", () => {
  const limiter = new HelloLimiter();
  let answered = 0;
  // 250 hosts of one /24, 1,500 hellos a second for 2 s.
  for (let i = 0; i < 3000; i++) {
    if (limiter.allow(`198.51.100.${1 + (i % 250)}`, i / 1.5)) answered++;
  }
  // A burst of 40, then 20 a second.
  assert.ok(answered >= 40 + 39 && answered <= 40 + 40, `${answered} answered`);
  assert.equal(limiter.stats.limitedGlobal, 0, "the global share is not spent");
  assert.equal(limiter.stats.limitedNetwork, 3000 - answered);
  for (let i = 0; i < 10; i++) assert.ok(limiter.allow("203.0.113.7", 2000), `elsewhere ${i}`);
  assert.ok(limiter.allow("198.51.101.1", 2000), "the next /24");
});

Deno.test("HelloLimiter holds the addresses of one IPv6 /64 to one share, however written", () => {
  const limiter = new HelloLimiter();
  let answered = 0;
  for (let i = 0; i < 200; i++) {
    const host = (i * 7919).toString(16);
    const ip = i % 2 ? `2001:db8:0:42::${host}` : `2001:db8:0:42:${host}:${host}:${host}:1`;
    if (limiter.allow(ip, 0)) answered++;
  }
  assert.equal(answered, 40);
  assert.equal(limiter.networks, 1);
  assert.ok(limiter.allow("2001:db8:0:43::1", 0), "the next /64");
  assert.ok(limiter.allow("2001:db8::1", 0), "2001:db8:0:0::/64");
  assert.ok(limiter.allow("::1", 0));
  assert.ok(limiter.allow("fe80::1%eth0", 0));
  assert.equal(limiter.networks, 5);
});

Deno.test("HelloLimiter counts an IPv4 address mapped into IPv6 as that IPv4 address", () => {
  const limiter = new HelloLimiter();
  for (let i = 0; i < 5; i++) assert.ok(limiter.allow("192.0.2.1", 0));
  for (let i = 0; i < 5; i++) assert.ok(limiter.allow("::ffff:192.0.2.1", 0));
  assert.equal(limiter.allow("::FFFF:192.0.2.1", 0), false);
  assert.equal(limiter.allow("192.0.2.1", 0), false);
  assert.equal(limiter.size, 1);
  assert.equal(limiter.networks, 1);
});
