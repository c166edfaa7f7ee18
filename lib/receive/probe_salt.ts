import { encodeControl } from "../wire/control.ts";
import { PacketType } from "../wire/header.ts";
import type { ReceiverGate } from "./receiver_gate.ts";

/** How often a hello goes out while the probe waits, in ms. */
const PROBE_EVERY_MS = 50;

/**
 * Asks a keyed sender for the salt its run stretches the key with, before
 * the receiver's own socket exists, so that the stretching (a quarter of a
 * second) runs while the receiver starts up rather than after: a hello in
 * the clear every 50 ms from a socket of its own, through `gate`, which
 * checks each answer and keeps what the sender names, until an answer comes
 * or `until` settles. Resolves with the salt, or `undefined` (no sender yet,
 * or none with a key: the receiver's link finds out as usual).
 */
export async function probeSalt(
  gate: ReceiverGate,
  sender: Deno.NetAddr,
  until: Promise<unknown>,
): Promise<Uint8Array | undefined> {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: sender.hostname.includes(":") ? "::" : "0.0.0.0",
    port: 0,
  });
  let done = false;
  const stop = () => {
    if (done) return;
    done = true;
    socket.close();
  };
  until.then(stop, stop);
  const [receiver] = crypto.getRandomValues(new Uint32Array(1));
  const asking = (async () => {
    while (!done) {
      const hello = gate.seal(
        encodeControl({ type: PacketType.HELLO, session: 0, receiver, time: Date.now() }),
      );
      if (hello !== undefined) await socket.send(hello, sender).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  try {
    const buffer = new Uint8Array(2048);
    while (!done) {
      const [datagram, from] = await socket.receive(buffer);
      const { hostname, port } = from as Deno.NetAddr;
      if (hostname !== sender.hostname || port !== sender.port) continue;
      gate.take(datagram);
      if (gate.wanted !== undefined) return gate.wanted;
    }
    return undefined;
  } catch {
    // Closed: `until` settled first.
    return undefined;
  } finally {
    stop();
    await asking;
  }
}
