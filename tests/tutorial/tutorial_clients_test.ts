import assert from "node:assert/strict";
import {
  TUTORIAL_CLIENT_EXPIRY_MS,
  TUTORIAL_MAX_CLIENTS,
  TutorialClients,
} from "../../lib/tutorial/mod.ts";

const at = (port: number, hostname = "192.0.2.1"): Deno.NetAddr => ({
  transport: "udp",
  hostname,
  port,
});

Deno.test("any datagram makes a client, up to 4; the next address is refused and not served", () => {
  const clients = new TutorialClients();
  assert.equal(TUTORIAL_MAX_CLIENTS, 4);
  for (let i = 1; i <= 4; i++) {
    assert.deepEqual(clients.heard(at(5000 + i), 0), {
      type: "client_joined",
      address: `192.0.2.1:${5000 + i}`,
      clients: i,
    });
  }
  assert.deepEqual(clients.heard(at(6000), 10), {
    type: "client_refused",
    address: "192.0.2.1:6000",
    count: 1,
  });
  assert.equal(clients.size, 4);
  assert.ok(!clients.addresses.some((addr) => addr.port === 6000));
  // A client greeting again is no news.
  assert.equal(clients.heard(at(5001), 20), undefined);
});

Deno.test("refusals are told at most once in 10 s, with how many there were: a spoofed flood is not a log flood", () => {
  const clients = new TutorialClients({ max: 1 });
  clients.heard(at(1), 0);
  assert.equal(clients.heard(at(2), 0)?.type, "client_refused");
  for (let port = 3; port < 1003; port++) assert.equal(clients.heard(at(port), 5000), undefined);
  assert.deepEqual(clients.heard(at(2000), 10_000), {
    type: "client_refused",
    address: "192.0.2.1:2000",
    count: 1001,
  });
});

Deno.test("a client silent for 10 minutes is dropped and told; one that spoke again stays", () => {
  const clients = new TutorialClients();
  clients.heard(at(1), 0);
  clients.heard(at(2), 0);
  clients.heard(at(2), 9 * 60_000);
  assert.deepEqual(clients.expire(TUTORIAL_CLIENT_EXPIRY_MS - 1), []);
  assert.deepEqual(clients.expire(TUTORIAL_CLIENT_EXPIRY_MS), [
    { type: "client_expired", address: "192.0.2.1:1", clients: 1 },
  ]);
  assert.deepEqual(clients.addresses.map((addr) => addr.port), [2]);
  // Its place is free again.
  assert.equal(clients.heard(at(3), TUTORIAL_CLIENT_EXPIRY_MS)?.type, "client_joined");
});

Deno.test("the same port on another host is another client; IPv6 addresses are bracketed", () => {
  const clients = new TutorialClients();
  assert.equal(clients.heard(at(7, "192.0.2.1"), 0)?.type, "client_joined");
  assert.equal(clients.heard(at(7, "192.0.2.2"), 0)?.type, "client_joined");
  const event = clients.heard(at(7, "2001:db8::1"), 0);
  assert.equal(event?.type === "client_joined" && event.address, "[2001:db8::1]:7");
});
