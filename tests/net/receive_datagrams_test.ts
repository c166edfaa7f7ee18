import assert from "node:assert/strict";
import { denoDatagramSocket } from "../../lib/net/datagram_socket.ts";
import { openDatagramSocket, type SocketKind } from "../../lib/net/open_datagram_socket.ts";
import { receiveDatagrams } from "../../lib/net/receive_datagrams.ts";

const FROM: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: 9000 };

/**
 * A stand-in socket that plays `script`, one step a receive: bytes to
 * receive, or an error to throw. Past the end it is closed (BadResource).
 */
function scriptedSocket(script: Array<Uint8Array | Error>) {
  const buffers: Uint8Array[] = [];
  const socket = {
    receive(buffer: Uint8Array): Promise<[Uint8Array, Deno.Addr]> {
      buffers.push(buffer);
      const step = script.shift() ?? new Deno.errors.BadResource("closed");
      if (step instanceof Error) return Promise.reject(step);
      buffer.set(step);
      return Promise.resolve([buffer.subarray(0, step.length), FROM]);
    },
  };
  return { socket: denoDatagramSocket(socket as unknown as Deno.DatagramConn), buffers };
}

Deno.test("receiveDatagrams() hands each datagram on, received into one buffer, and ends once the socket is closed", async () => {
  const { socket, buffers } = scriptedSocket([
    new Uint8Array([1, 2, 3]),
    new Uint8Array([4]),
  ]);
  const seen: Array<[number[], Deno.NetAddr]> = [];
  let errors = 0;
  await receiveDatagrams(socket, (datagram, from) => {
    seen.push([[...datagram], from]);
  }, { bufferSize: 2048, closed: () => false, onError: () => errors++ });
  assert.deepEqual(seen, [[[1, 2, 3], FROM], [[4], FROM]]);
  assert.equal(buffers.length, 3);
  assert.equal(buffers[0].length, 2048);
  assert.ok(buffers.every((buffer) => buffer === buffers[0]));
  assert.equal(errors, 0);
});

Deno.test("receiveDatagrams() goes on after failed receives, pausing 50 ms after every hundredth", async () => {
  const { socket } = scriptedSocket([
    ...Array.from({ length: 250 }, () => new Error("port unreachable")),
    new Uint8Array([7]),
  ]);
  const seen: number[][] = [];
  let errors = 0;
  const started = performance.now();
  await receiveDatagrams(socket, (datagram) => {
    seen.push([...datagram]);
  }, { bufferSize: 16, closed: () => false, onError: () => errors++ });
  const took = performance.now() - started;
  assert.equal(errors, 250);
  assert.deepEqual(seen, [[7]]);
  // Two pauses: after the 100th failure and the 200th.
  assert.ok(took >= 95 && took < 1000, `${took} ms`);
});

Deno.test("receiveDatagrams() ends at the first failed receive once its owner has closed the socket", async () => {
  let closed = false;
  const { socket, buffers } = scriptedSocket([
    new Uint8Array([1]),
    new Error("interrupted"),
    new Uint8Array([2]),
  ]);
  let errors = 0;
  const seen: number[][] = [];
  await receiveDatagrams(socket, (datagram) => {
    seen.push([...datagram]);
    closed = true;
  }, { bufferSize: 16, closed: () => closed, onError: () => errors++ });
  assert.deepEqual(seen, [[1]]);
  assert.equal(buffers.length, 1); // closed is asked before each receive
  assert.equal(errors, 0);

  closed = false;
  const again = scriptedSocket([new Error("interrupted"), new Uint8Array([3])]);
  await receiveDatagrams(again.socket, () => {}, {
    bufferSize: 16,
    closed: () => {
      const was = closed;
      closed = true; // closed while the receive is under way
      return was;
    },
    onError: () => errors++,
  });
  assert.equal(again.buffers.length, 1);
  assert.equal(errors, 0);
});

for (const kind of ["auto", "deno"] as SocketKind[]) {
  Deno.test(`receiveDatagrams() ends when a real socket (${kind}) is closed under it`, async () => {
    const socket = openDatagramSocket({ hostname: "127.0.0.1", port: 0 }, kind);
    const sender = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    try {
      const seen: string[] = [];
      let got!: () => void;
      const received = new Promise<void>((resolve) => got = resolve);
      const loop = receiveDatagrams(socket, (datagram, from) => {
        seen.push(`${new TextDecoder().decode(datagram)} from ${from.port}`);
        got();
      }, { bufferSize: 2048, closed: () => false });
      await sender.send(new TextEncoder().encode("hello"), socket.addr);
      await received;
      socket.close();
      await loop;
      assert.deepEqual(seen, [`hello from ${(sender.addr as Deno.NetAddr).port}`]);
    } finally {
      sender.close();
    }
  });
}
