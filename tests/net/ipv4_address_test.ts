import assert from "node:assert/strict";
import {
  netAddrOf,
  parseIpv4,
  readSockaddrIn,
  SOCKADDR_IN_SIZE,
  writeSockaddrIn,
} from "../../lib/net/ipv4_address.ts";

Deno.test("parseIpv4() reads dotted quads and nothing else", () => {
  assert.equal(parseIpv4("127.0.0.1"), 0x7f000001);
  assert.equal(parseIpv4("0.0.0.0"), 0);
  assert.equal(parseIpv4("255.255.255.255"), 0xffffffff);
  for (
    const other of [
      "256.0.0.1",
      "1.2.3",
      "1.2.3.4.5",
      "::1",
      "localhost",
      "",
      " 1.2.3.4",
      "1.2.3.-4",
    ]
  ) {
    assert.equal(parseIpv4(other), undefined, other);
  }
});

Deno.test("a sockaddr_in is written as the system lays it out and read back as the same address", () => {
  const bytes = new Uint8Array(SOCKADDR_IN_SIZE + 4).fill(0xee);
  const view = new DataView(bytes.buffer);
  writeSockaddrIn(view, 4, parseIpv4("192.168.1.20")!, 5000);
  // Family 2 in host order (little-endian here), port and address in network order, zeros.
  assert.deepEqual([...bytes], [
    0xee,
    0xee,
    0xee,
    0xee,
    2,
    0,
    0x13,
    0x88,
    192,
    168,
    1,
    20,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  const key = readSockaddrIn(view, 4);
  assert.deepEqual(netAddrOf(key), { transport: "udp", hostname: "192.168.1.20", port: 5000 });
  assert.deepEqual(netAddrOf(readSockaddrIn(view, 4)), netAddrOf(key));
  view.setUint16(4, 10, true); // AF_INET6: not read as IPv4
  assert.equal(readSockaddrIn(view, 4), -1);
});

Deno.test("every address and port survives the round trip through one number", () => {
  for (
    const [hostname, port] of [["255.255.255.255", 65535], ["0.0.0.1", 1], [
      "10.0.0.255",
      0,
    ]] as const
  ) {
    const view = new DataView(new ArrayBuffer(SOCKADDR_IN_SIZE));
    writeSockaddrIn(view, 0, parseIpv4(hostname)!, port);
    assert.deepEqual(netAddrOf(readSockaddrIn(view, 0)), { transport: "udp", hostname, port });
  }
});
