/**
 * The least a Deno receiver can do with the transport part's stream: take
 * in every datagram on the socket udpcam uses, with udpcam's room for one,
 * and count its bytes. No header read, no frame put together, no viewer.
 * Prints the bytes taken in so far every 250 ms. Run by the transport part
 * as `floor_receiver.ts PORT`, with the receiver's permissions.
 *
 * @module
 */
import { openDatagramSocket } from "../../lib/net/open_datagram_socket.ts";

const socket = openDatagramSocket({ hostname: "127.0.0.1", port: Number(Deno.args[0]) });
let bytes = 0;
const encoder = new TextEncoder();
setInterval(() => Deno.stdout.writeSync(encoder.encode(`${bytes}\n`)), 250);
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
console.log("listening");
while (true) await socket.receiveSome((datagram) => bytes += datagram.length, 65_536);
