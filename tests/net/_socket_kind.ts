// Prints the kind of socket this process gets: run by system_udp_socket_test.ts with chosen permissions.
import { openDatagramSocket } from "../../lib/net/open_datagram_socket.ts";

const socket = openDatagramSocket({ hostname: "127.0.0.1", port: 0 });
console.log(socket.kind);
socket.close();
