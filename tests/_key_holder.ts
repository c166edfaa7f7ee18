/**
 * A holder of the stream's key turned attacker: it joins the sender as a
 * receiver of its own, written out by hand from the handshake in
 * `docs/PROTOCOL.md`, and keeps every key that gives it, to forge datagrams to
 * others with.
 *
 * @module
 */
import { KeyShare } from "../lib/seal/key_share.ts";
import { NonceSequence } from "../lib/seal/nonce_sequence.ts";
import {
  type Challenge,
  decodePacket,
  EMPTY_REPORT,
  encodeControl,
  type Packet,
  PacketType,
} from "../lib/wire/mod.ts";
import type { SessionCipher } from "../lib/seal/session_cipher.ts";
import { StreamKey } from "../lib/seal/stream_key.ts";
import type { JoinKeyInput, StreamSecret } from "../lib/seal/stream_secret.ts";
import { receiveWithin } from "./_attack.ts";

/** The first datagram `socket` receives within `ms` that `read` makes something of. */
async function expect<T>(
  socket: Deno.DatagramConn,
  read: (datagram: Uint8Array) => T | undefined,
  ms = 2000,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const datagram = await receiveWithin(socket, deadline - Date.now());
    const value = datagram === undefined ? undefined : read(datagram);
    if (value !== undefined) return value;
  }
  throw new Error(`no answer within ${ms} ms`);
}

function decoded(bytes: Uint8Array | undefined): Packet | undefined {
  const result = bytes === undefined ? undefined : decodePacket(bytes);
  return result?.ok ? result.packet : undefined;
}

/** A key holder joined to a sender, with the keys it holds. */
export class KeyHolder {
  /** The key stretched for the sender's run: the hello key. */
  readonly secret: StreamSecret;
  /** The sender's session. */
  readonly session: number;
  /** Its own receiver id. */
  readonly receiver: number;
  /** The newest frame number the sender sent it. */
  latestFrame = -1;
  /** When the sender last sent it a frame's datagram (`performance.now()`). */
  lastDataAt = -Infinity;
  /** The cookie of its join. */
  readonly cookie: Uint8Array;
  /** Its handshake as it went over the wire, both ways, to be played back. */
  readonly handshake: Uint8Array[];
  #socket: Deno.DatagramConn;
  #sender: Deno.NetAddr;
  #keys: JoinKeyInput;
  #opener: SessionCipher;
  #sealer: SessionCipher;
  #receiving: Promise<void>;

  private constructor(
    socket: Deno.DatagramConn,
    sender: Deno.NetAddr,
    secret: StreamSecret,
    session: number,
    receiver: number,
    keys: JoinKeyInput,
    cookie: Uint8Array,
    handshake: Uint8Array[],
  ) {
    this.handshake = handshake;
    this.cookie = cookie;
    this.#socket = socket;
    this.#sender = sender;
    this.secret = secret;
    this.session = session;
    this.receiver = receiver;
    this.#keys = keys;
    this.#opener = secret.receiverJoin(keys, NonceSequence.random());
    this.#sealer = secret.receiverJoin(keys, NonceSequence.random());
    this.#receiving = this.#receive();
  }

  /** Joins the keyed sender on 127.0.0.1 `port` with `key`, as any receiver would. */
  static async join(port: number, key: string): Promise<KeyHolder> {
    const socket = Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
    const to = { transport: "udp" as const, hostname: "127.0.0.1", port };
    const receiver = 0x4b4b4b4b;
    const recorded: Uint8Array[] = [];
    const send = async (datagram: Uint8Array) => {
      recorded.push(datagram);
      await socket.send(datagram, to);
    };
    const got = <T>(read: (datagram: Uint8Array) => T | undefined) => (datagram: Uint8Array) => {
      const value = read(datagram);
      if (value !== undefined) recorded.push(datagram);
      return value;
    };
    try {
      const ask = crypto.getRandomValues(new Uint8Array(12));
      const time = Date.now();
      await send(
        encodeControl({ type: PacketType.HELLO, session: 0, receiver, time, nonce: ask }),
      );
      const announced = await expect(
        socket,
        got((bytes) => {
          const packet = decoded(bytes);
          return packet?.type === PacketType.REFUSED && packet.salt !== undefined
            ? packet
            : undefined;
        }),
      );
      const secret = await new StreamKey(key).stretch(announced.salt!);
      const share = new KeyShare();
      const nonce = crypto.getRandomValues(new Uint8Array(12));
      const session = announced.session;
      const hello = encodeControl({ type: PacketType.HELLO, session, receiver, time, nonce });
      await send(secret.sealHello(hello));
      const challenge = await expect(
        socket,
        got((bytes) => {
          const packet = decoded(secret.openHello(bytes));
          return packet?.type === PacketType.CHALLENGE ? packet as Challenge : undefined;
        }),
      );
      const join = encodeControl({
        type: PacketType.JOIN,
        session,
        receiver,
        time,
        cookie: challenge.cookie,
        nonce,
        share: share.share,
      });
      await send(secret.sealHello(join));
      const keys = {
        agreed: share.agree(challenge.share!)!,
        nonce,
        receiverShare: share.share,
        senderShare: challenge.share!,
      };
      return new KeyHolder(socket, to, secret, session, receiver, keys, challenge.cookie, recorded);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  /** Seals `plain` as the sender seals to this key holder, its nonce's counter at `counter`. */
  sealAsSender(plain: Uint8Array, counter: number): Uint8Array {
    return this.secret.senderJoin(this.#keys, new NonceSequence(new Uint8Array(4), counter))
      .seal(plain);
  }

  /** Seals `plain` as this key holder seals to the sender, its nonce's counter at `counter`. */
  sealAsReceiver(plain: Uint8Array, counter: number): Uint8Array {
    return this.secret.receiverJoin(this.#keys, new NonceSequence(new Uint8Array(4), counter))
      .seal(plain);
  }

  /** Sends the sender a keepalive of its own, sealed with its join's keys, with the cookie of its join. */
  async keepalive(): Promise<void> {
    const plain = encodeControl({
      type: PacketType.KEEPALIVE,
      session: this.session,
      receiver: this.receiver,
      time: Date.now(),
      cookie: this.cookie,
      report: EMPTY_REPORT,
    });
    await this.#socket.send(this.#sealer.seal(plain), this.#sender);
  }

  /** Resolves once a frame has come, or throws after `ms`. */
  async streaming(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.latestFrame < 0) {
      if (Date.now() > deadline) throw new Error(`no frame within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops listening. */
  async close(): Promise<void> {
    this.#socket.close();
    await this.#receiving;
  }

  async #receive(): Promise<void> {
    const buffer = new Uint8Array(65_536);
    for (;;) {
      let bytes: Uint8Array;
      try {
        [bytes] = await this.#socket.receive(buffer);
      } catch {
        return;
      }
      const packet = decoded(this.#opener.open(bytes)?.plain);
      if (packet?.type === PacketType.DATA) {
        this.lastDataAt = performance.now();
        this.latestFrame = Math.max(this.latestFrame, packet.frame);
      }
    }
  }
}
