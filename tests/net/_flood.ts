// Floods Deno.args[0] (host:port) with 64-byte datagrams, 64 a call, for Deno.args[1] ms; run by system_udp_socket_test.ts.
import { openDatagramSocket } from "../../lib/net/open_datagram_socket.ts";

const [host, port] = Deno.args[0].split(":");
const until = performance.now() + Number(Deno.args[1]);
const socket = openDatagramSocket({ hostname: "127.0.0.1", port: 0 });
const datagrams = Array.from({ length: 64 }, () => new Uint8Array(64));
const to = datagrams.map(() => ({ transport: "udp" as const, hostname: host, port: Number(port) }));
console.log("flooding");
while (performance.now() < until) await socket.sendMany(datagrams, to);
socket.close();
