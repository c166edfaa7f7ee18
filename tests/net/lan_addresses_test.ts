import assert from "node:assert/strict";
import { reachableAddresses } from "../../lib/net/lan_addresses.ts";

const iface = (name: string, address: string, family: "IPv4" | "IPv6" = "IPv4") => ({
  name,
  family,
  address,
  netmask: family === "IPv4" ? "255.255.255.0" : "ffff:ffff:ffff:ffff::",
  scopeid: null,
  cidr: `${address}/24`,
  mac: "00:00:00:00:00:00",
});

const INTERFACES = [
  iface("lo", "127.0.0.1"),
  iface("lo", "::1", "IPv6"),
  iface("eth0", "192.168.1.20"),
  iface("eth0", "fe80::1", "IPv6"),
  iface("wlan0", "10.0.0.5"),
  iface("docker0", "172.17.0.1"),
];

Deno.test("a wildcard address is reached at the machine's LAN addresses, private networks first", () => {
  assert.deepEqual(reachableAddresses("0.0.0.0", INTERFACES), [
    "192.168.1.20",
    "10.0.0.5",
    "172.17.0.1",
  ]);
  assert.deepEqual(reachableAddresses("", INTERFACES), ["192.168.1.20", "10.0.0.5", "172.17.0.1"]);
});

Deno.test("an address given is the one to reach; a machine with no LAN is reached on loopback only", () => {
  assert.deepEqual(reachableAddresses("10.0.0.5", INTERFACES), ["10.0.0.5"]);
  assert.deepEqual(reachableAddresses("127.0.0.1", INTERFACES), ["127.0.0.1"]);
  assert.deepEqual(reachableAddresses("0.0.0.0", [iface("lo", "127.0.0.1")]), ["127.0.0.1"]);
});
