/**
 * What the attack tests share: a keyed pair through the project's relay that
 * records every datagram, crafted datagrams, and the keys a holder of the
 * stream's key could make under the first keyed design (one stretch of the
 * key for every deployment), to show that they open nothing now.
 *
 * @module
 */
import { hkdfSync, scryptSync } from "node:crypto";
import { ImpairRelay } from "../scripts/impair/impair_relay.ts";
import { freeUdpPort, ToolProcess } from "./_tool.ts";

/** The key of every attack test's stream. */
export const KEY = "the attack tests' shared secret, long enough";
/** A 15 fps test pattern: small frames, a few datagrams each. */
export const TEST_SOURCE = ["--source", "test", "--fps", "15", "--width", "320"];

/** A datagram seen by the relay, and when. */
export interface Seen {
  direction: "up" | "down";
  data: Uint8Array;
  at: number;
}

/** A keyed sender and receiver through a relay that records what crosses it. */
export interface RecordedPair {
  sender: ToolProcess;
  receiver: ToolProcess;
  relay: ImpairRelay;
  /** The sender's UDP port. */
  port: number;
  /** The receiver's preview, ending in `/`. */
  url: string;
  /** Every datagram the relay saw, oldest first (blacked-out ones too). */
  seen: Seen[];
}

/** Starts a keyed sender on a free port and a receiver of it through a recording relay. */
export async function startRecordedPair(senderArgs: string[] = []): Promise<RecordedPair> {
  const port = freeUdpPort();
  const seen: Seen[] = [];
  const relay = new ImpairRelay({
    listen: { hostname: "127.0.0.1", port: 0 },
    target: { hostname: "127.0.0.1", port },
    onDatagram: (direction, data) => {
      seen.push({ direction, data: data.slice(), at: performance.now() });
    },
  });
  const sender = startKeyedSender(port, senderArgs);
  await sender.waitFor("listening");
  const receiver = new ToolProcess("receiver", [
    `127.0.0.1:${relay.addr.port}`,
    "--http",
    "127.0.0.1:0",
    "--key",
    KEY,
  ]);
  const url = String((await receiver.waitFor("listening")).url);
  return { sender, receiver, relay, port, url, seen };
}

/** A keyed sender of the test pattern on `port`. */
export function startKeyedSender(port: number, args: string[] = []): ToolProcess {
  return new ToolProcess("sender", [
    "--listen",
    `127.0.0.1:${port}`,
    ...TEST_SOURCE,
    "--key",
    KEY,
    ...args,
  ]);
}

/** Stops everything a recorded pair started. */
export async function stopRecordedPair(pair: RecordedPair): Promise<void> {
  await pair.receiver.stop();
  await pair.sender.stop();
  await pair.relay.close();
}

/** The type byte of a datagram, sealed bit included. */
export function typeOf(data: Uint8Array): number {
  return data.length > 3 ? data[3] : -1;
}

/** The receiver's `/stats`. */
// deno-lint-ignore no-explicit-any
export async function stats(url: string): Promise<any> {
  return await (await fetch(`${url}stats`)).json();
}

/** Everything `socket` receives until `ms` pass without a datagram. */
export async function drain(socket: Deno.DatagramConn, ms = 400): Promise<Uint8Array[]> {
  const got: Uint8Array[] = [];
  for (;;) {
    const next = await receiveWithin(socket, ms);
    if (next === undefined) return got;
    got.push(next);
  }
}

/** The next datagram `socket` receives within `ms`, or `undefined`. */
export async function receiveWithin(
  socket: Deno.DatagramConn,
  ms: number,
): Promise<Uint8Array | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const quiet = new Promise<undefined>((resolve) =>
    timer = setTimeout(() => resolve(undefined), ms)
  );
  const next = await Promise.race([socket.receive(new Uint8Array(65_536)), quiet]);
  clearTimeout(timer);
  return next?.[0].slice();
}

/** Resolves after `ms`. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The hello key of the first keyed design: the key stretched with one fixed
 * salt for every deployment, so that one dictionary served them all.
 */
export function fixedSaltHelloKey(key: string): Uint8Array {
  return hkdf(fixedSaltMaster(key), new Uint8Array(0), "udpcam 1 hello");
}

/** The sender's session key of the first keyed design, shared by all its receivers. */
export function fixedSaltSenderKey(key: string, salt: Uint8Array): Uint8Array {
  return hkdf(fixedSaltMaster(key), salt, "udpcam 1 sender");
}

function fixedSaltMaster(key: string): Uint8Array {
  return new Uint8Array(
    scryptSync(key, "udpcam 1 key", 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }),
  );
}

function hkdf(master: Uint8Array, salt: Uint8Array, info: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", master, salt, info, 16));
}

/** A tiny frame the receiver takes for a JPEG: start, a baseline SOF0 header, end. */
export function tinyJpeg(marker: number): Uint8Array {
  const data = new Uint8Array(200).fill(marker);
  data.set([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0, 16, 0, 16, 3]);
  data.set([0xff, 0xd9], data.length - 2);
  return data;
}
