/**
 * Properties of the wire format checked on thousands of random datagrams.
 * Every case is drawn from its own seed, named in any failure as
 * `seed S (case I)`: `new Random(S)` draws that case again.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fragmentFrame, maxFrameLength, MIN_MTU } from "../../lib/wire/fragment_frame.ts";
import {
  COOKIE_SIZE,
  DATA_HEADER_SIZE,
  type Decoded,
  decodePacket,
  encodeControl,
  encodeDataHeader,
  encodeNack,
  encodeParityHeader,
  HEADER_SIZE,
  HELLO_SIZE,
  KEEPALIVE_SIZE,
  MAGIC,
  markResent,
  MAX_DATAGRAM,
  MAX_FRAGMENTS,
  MAX_NACK_RANGES,
  MAX_PARITY_GROUPS,
  MAX_SENDER_NAME,
  type Nack,
  NACK_HEADER_SIZE,
  NACK_RANGE_SIZE,
  type NackRange,
  type Packet,
  PacketType,
  RefusalReason,
  type RejectReason,
  SALT_SIZE,
  SHARE_SIZE,
  VERSION,
} from "../../lib/wire/mod.ts";
import { parityDatagrams } from "../../lib/wire/parity_datagrams.ts";
import { Random } from "../_random.ts";

// Offsets and sizes from docs/PROTOCOL.md, written out again here rather than taken from the
// codec's constants, so that the codec is checked against the spec and not against itself.
const OFFSET_VERSION = 2;
const OFFSET_TYPE = 3;
const OFFSET_SESSION = 4;
const OFFSET_FRAME = 8;
const OFFSET_FRAME_LENGTH = 12;
const OFFSET_INDEX = 16;
const OFFSET_GROUP = 16;
const OFFSET_GROUPS = 17;
const OFFSET_FRAGMENT_SIZE = 18;
const OFFSET_CAPTURE_TIME = 20;
const OFFSET_RECEIVER = 8;
const OFFSET_REPORT = 36;
/** A NACK range's fields, from the range's start. */
const RANGE_INDEX = 4;
const RANGE_COUNT = 6;

/** Each control message's size and where its cookie is, if it has one. */
const CONTROL: Record<number, { size: number; cookieAt?: number }> = {
  [PacketType.HELLO]: { size: HELLO_SIZE },
  [PacketType.CHALLENGE]: { size: 44, cookieAt: 28 },
  [PacketType.JOIN]: { size: 36, cookieAt: 20 },
  [PacketType.KEEPALIVE]: { size: KEEPALIVE_SIZE, cookieAt: 20 },
  [PacketType.ACK]: { size: 28 },
  [PacketType.BYE]: { size: 28, cookieAt: 12 },
  [PacketType.REFUSED]: { size: 12 },
};
/** A HELLO's nonce, in what would otherwise be padding. */
const OFFSET_HELLO_NONCE = 20;
const NONCE_SIZE = 12;
/** Where a CHALLENGE's and a JOIN's key tail (hello nonce, then key share) starts. */
const KEY_TAIL_AT: Record<number, number> = { [PacketType.CHALLENGE]: 44, [PacketType.JOIN]: 36 };
const KEY_TAIL_SIZE = NONCE_SIZE + SHARE_SIZE;
/** A REFUSED's echo, then its salt. */
const OFFSET_ECHO = 12;
const OFFSET_REFUSAL_SALT = 24;
const OFFSET_REFUSAL = 8;
const REFUSALS: readonly number[] = Object.values(RefusalReason);
const NACK_COOKIE_AT = 12;

const TYPES: readonly Packet["type"][] = Object.values(PacketType);
const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(PacketType).map(([name, type]) => [type, name]),
);
const UNKNOWN_TYPES = Array.from({ length: 0x80 }, (_, type) => type).filter((type) =>
  !(TYPES as readonly number[]).includes(type)
);
const REASONS: readonly RejectReason[] = ["short", "foreign", "version", "type", "malformed"];
const UINT32_MAX = 0xffff_ffff;

function isUint(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

/** A datagram for a failure message: its length and first bytes in hex. */
function describe(bytes: Uint8Array): string {
  const hex = [...bytes.subarray(0, 48)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${bytes.length} bytes ${hex}${bytes.length > 48 ? "..." : ""}`;
}

function label(seed: number, base: number): string {
  return `seed ${seed} (case ${seed - base})`;
}

function finiteTime(random: Random): number {
  const time = random.float64();
  return Number.isFinite(time) ? time : random.int(0, 2 ** 32) * 1000;
}

/** A frame layout the decoder must accept: 1 to 32,767 fragments of 1 to `maxFragmentSize` bytes. */
function randomLayout(random: Random, maxFragmentSize: number) {
  const fragmentSize = random.logInt(maxFragmentSize);
  const count = random.logInt(MAX_FRAGMENTS);
  const frameLength = (count - 1) * fragmentSize + random.int(1, fragmentSize);
  return { fragmentSize, count, frameLength };
}

/** A valid packet of `type`, every field drawn at random within what the format allows. */
function randomPacket(random: Random, type: Packet["type"], maxFragmentSize = 2000): Packet {
  const session = random.uint32();
  const receiver = random.uint32();
  const cookie = random.bytes(COOKIE_SIZE);
  switch (type) {
    case PacketType.HELLO: {
      const nonce = random.bytes(NONCE_SIZE);
      nonce[0] |= 1;
      return {
        type,
        session,
        receiver,
        time: random.float64(),
        ...(random.chance(0.5) ? { nonce } : {}),
      };
    }
    case PacketType.CHALLENGE:
      return {
        type,
        session,
        receiver,
        echoTime: random.float64(),
        senderTime: random.float64(),
        cookie,
        ...randomKeyTail(random),
      };
    case PacketType.JOIN:
      return { type, session, receiver, time: random.float64(), cookie, ...randomKeyTail(random) };
    case PacketType.KEEPALIVE:
      return {
        type,
        session,
        receiver,
        time: random.float64(),
        cookie,
        report: {
          fragments: random.uint32(),
          missing: random.uint32(),
          recovered: random.uint32(),
          framesShown: random.uint32(),
          framesLost: random.uint32(),
          // Carried in whole microseconds.
          rttMs: random.uint32() / 1000,
          queueDelayMs: random.uint32() / 1000,
        },
      };
    case PacketType.ACK:
      return { type, session, receiver, echoTime: random.float64(), senderTime: random.float64() };
    case PacketType.BYE:
      return { type, session, receiver, cookie };
    case PacketType.REFUSED: {
      const reason = random.pick(Object.values(RefusalReason));
      const tail = random.int(0, 2);
      const echo = tail > 0 ? { echo: random.bytes(NONCE_SIZE) } : {};
      const salt = tail > 1 ? { salt: random.bytes(SALT_SIZE) } : {};
      return { type, session, reason, ...echo, ...salt };
    }
    case PacketType.NACK: {
      const ranges: NackRange[] = Array.from({ length: random.logInt(MAX_NACK_RANGES) }, () => {
        const index = random.chance(0.2) ? MAX_FRAGMENTS - 1 : random.int(0, MAX_FRAGMENTS - 1);
        return { frame: random.uint32(), index, count: random.logInt(MAX_FRAGMENTS - index) };
      });
      return { type, session, receiver, cookie, ranges };
    }
    case PacketType.DATA: {
      const { fragmentSize, count, frameLength } = randomLayout(random, maxFragmentSize);
      const index = random.chance(0.3) ? count - 1 : random.int(0, count - 1);
      const length = index === count - 1 ? frameLength - index * fragmentSize : fragmentSize;
      return {
        type,
        session,
        frame: random.uint32(),
        frameLength,
        index,
        fragmentSize,
        captureTime: finiteTime(random),
        resent: random.chance(0.5),
        payload: random.bytes(length),
      };
    }
    case PacketType.PARITY: {
      const { fragmentSize, count, frameLength } = randomLayout(random, maxFragmentSize);
      const groups = random.int(1, Math.min(count, MAX_PARITY_GROUPS));
      return {
        type,
        session,
        frame: random.uint32(),
        frameLength,
        group: random.int(0, groups - 1),
        groups,
        fragmentSize,
        captureTime: finiteTime(random),
        payload: random.bytes(fragmentSize),
      };
    }
  }
}

/** A keyed CHALLENGE's or JOIN's tail, half the time. */
function randomKeyTail(random: Random): { nonce?: Uint8Array; share?: Uint8Array } {
  return random.chance(0.5)
    ? { nonce: random.bytes(NONCE_SIZE), share: random.bytes(SHARE_SIZE) }
    : {};
}

/**
 * What a control message decodes to from `bytes`: `packet`'s fixed fields,
 * and the optional ones (a HELLO's nonce, a key tail, a REFUSED's echo and
 * salt) as far as the bytes hold them, whatever `packet` had.
 */
function asDecoded(packet: Packet, bytes: Uint8Array): Packet {
  switch (packet.type) {
    case PacketType.HELLO: {
      const { nonce: _, ...fixed } = packet;
      const nonce = bytes.slice(OFFSET_HELLO_NONCE, OFFSET_HELLO_NONCE + NONCE_SIZE);
      return nonce.some((b) => b !== 0) ? { ...fixed, nonce } : fixed;
    }
    case PacketType.CHALLENGE:
    case PacketType.JOIN: {
      const { nonce: _, share: __, ...fixed } = packet;
      const at = KEY_TAIL_AT[packet.type];
      if (bytes.length < at + KEY_TAIL_SIZE) return fixed as Packet;
      const nonce = bytes.slice(at, at + NONCE_SIZE);
      const share = bytes.slice(at + NONCE_SIZE, at + KEY_TAIL_SIZE);
      return { ...fixed, nonce, share } as Packet;
    }
    case PacketType.REFUSED: {
      const { echo: _, salt: __, ...fixed } = packet;
      const echo = bytes.length >= OFFSET_REFUSAL_SALT
        ? { echo: bytes.slice(OFFSET_ECHO, OFFSET_REFUSAL_SALT) }
        : {};
      const salt = bytes.length >= OFFSET_REFUSAL_SALT + SALT_SIZE
        ? { salt: bytes.slice(OFFSET_REFUSAL_SALT, OFFSET_REFUSAL_SALT + SALT_SIZE) }
        : {};
      return { ...fixed, ...echo, ...salt };
    }
    default:
      return packet;
  }
}

/**
 * Encodes any packet. DATA and PARITY are written field by field as given,
 * consistent or not, so a test can make them disagree.
 */
function encode(packet: Packet): Uint8Array<ArrayBuffer> {
  switch (packet.type) {
    case PacketType.DATA: {
      const bytes = new Uint8Array(DATA_HEADER_SIZE + packet.payload.length);
      encodeDataHeader(bytes, packet);
      bytes.set(packet.payload, DATA_HEADER_SIZE);
      return packet.resent ? markResent(bytes) as Uint8Array<ArrayBuffer> : bytes;
    }
    case PacketType.PARITY: {
      const bytes = new Uint8Array(DATA_HEADER_SIZE + packet.payload.length);
      encodeParityHeader(bytes, packet);
      bytes.set(packet.payload, DATA_HEADER_SIZE);
      return bytes;
    }
    case PacketType.NACK:
      return encodeNack(packet) as Uint8Array<ArrayBuffer>;
    default:
      return encodeControl(packet) as Uint8Array<ArrayBuffer>;
  }
}

/**
 * Asserts what every accepted packet must satisfy, since the receiver and
 * sender act on it without checking again: it agrees with the bytes it came
 * from, and a DATA or PARITY packet describes a frame layout that exists.
 */
function assertConsistent(bytes: Uint8Array, packet: Packet, where: string): void {
  const fail = (what: string): never =>
    assert.fail(`${where}: decodePacket() accepted ${describe(bytes)} but ${what}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_SIZE || view.getUint16(0) !== MAGIC) fail("it is not udpcam's");
  if (bytes[OFFSET_VERSION] !== VERSION) fail(`its version is ${bytes[OFFSET_VERSION]}`);
  if (packet.type !== bytes[OFFSET_TYPE]) fail(`read type ${packet.type}`);
  if (packet.session !== view.getUint32(OFFSET_SESSION)) fail(`read session ${packet.session}`);
  const sameBytes = (a: Uint8Array, at: number, size: number, what: string) => {
    if (a.length !== size || bytes.length < at + size) fail(`${what} is not ${size} bytes`);
    for (let i = 0; i < a.length; i++) if (a[i] !== bytes[at + i]) fail(`${what} differs`);
  };
  switch (packet.type) {
    case PacketType.DATA:
    case PacketType.PARITY: {
      const { frameLength, fragmentSize, payload } = packet;
      if (!isUint(fragmentSize, 0xffff) || fragmentSize === 0) fail(`fragmentSize ${fragmentSize}`);
      if (!isUint(frameLength, UINT32_MAX) || frameLength === 0) fail(`frameLength ${frameLength}`);
      if (!isUint(packet.frame, UINT32_MAX)) fail(`frame ${packet.frame}`);
      if (!Number.isFinite(packet.captureTime)) fail(`captureTime ${packet.captureTime}`);
      const count = Math.ceil(frameLength / fragmentSize);
      if (count > MAX_FRAGMENTS) fail(`its frame has ${count} fragments`);
      if (DATA_HEADER_SIZE + payload.length !== bytes.length) fail("the payload is not the rest");
      for (let i = 0; i < payload.length; i++) {
        if (payload[i] !== bytes[DATA_HEADER_SIZE + i]) fail(`payload byte ${i} differs`);
      }
      if (packet.type === PacketType.DATA) {
        const { index } = packet;
        if (!Number.isInteger(index) || index < 0 || index >= count) {
          fail(`index ${index} is not one of ${count} fragments`);
        }
        const expected = index === count - 1 ? frameLength - index * fragmentSize : fragmentSize;
        if (payload.length !== expected) fail(`payload ${payload.length} bytes, not ${expected}`);
        if (packet.resent !== ((bytes[OFFSET_INDEX] & 0x80) !== 0)) fail("resent differs");
      } else {
        const { group, groups } = packet;
        if (!isUint(groups, Math.min(count, MAX_PARITY_GROUPS)) || groups === 0) {
          fail(`${groups} groups for ${count} fragments`);
        }
        if (!isUint(group, groups - 1)) fail(`group ${group} of ${groups}`);
        if (payload.length !== fragmentSize) fail(`parity of ${payload.length} bytes`);
      }
      break;
    }
    case PacketType.NACK: {
      const { ranges } = packet;
      if (ranges.length < 1 || ranges.length > MAX_NACK_RANGES) fail(`${ranges.length} ranges`);
      if (bytes.length !== NACK_HEADER_SIZE + ranges.length * NACK_RANGE_SIZE) {
        fail(`${ranges.length} ranges do not fill it`);
      }
      for (const { frame, index, count } of ranges) {
        if (!isUint(frame, UINT32_MAX) || !isUint(index, MAX_FRAGMENTS - 1)) {
          fail(`range at frame ${frame} index ${index}`);
        }
        if (!Number.isInteger(count) || count < 1 || index + count > MAX_FRAGMENTS) {
          fail(`range of ${count} from ${index}`);
        }
      }
      if (packet.receiver !== view.getUint32(OFFSET_RECEIVER)) fail("receiver differs");
      sameBytes(packet.cookie, NACK_COOKIE_AT, COOKIE_SIZE, "the cookie");
      break;
    }
    case PacketType.REFUSED: {
      if (bytes.length < CONTROL[packet.type].size) fail("it is short");
      if (!REFUSALS.includes(packet.reason) || packet.reason !== bytes[OFFSET_REFUSAL]) {
        fail(`refusal reason ${packet.reason}`);
      }
      const echoed = bytes.length >= OFFSET_REFUSAL_SALT;
      if (echoed !== (packet.echo !== undefined)) fail(`echo ${packet.echo}`);
      if (packet.echo !== undefined) sameBytes(packet.echo, OFFSET_ECHO, NONCE_SIZE, "the echo");
      const salted = bytes.length >= OFFSET_REFUSAL_SALT + SALT_SIZE;
      if (salted !== (packet.salt !== undefined)) fail(`salt ${packet.salt}`);
      if (packet.salt !== undefined) {
        sameBytes(packet.salt, OFFSET_REFUSAL_SALT, SALT_SIZE, "the salt");
      }
      break;
    }
    default: {
      const { size, cookieAt } = CONTROL[packet.type];
      if (bytes.length < size) fail(`it is shorter than ${size} bytes`);
      if (packet.type === PacketType.CHALLENGE || packet.type === PacketType.JOIN) {
        const at = KEY_TAIL_AT[packet.type];
        const tailed = bytes.length >= at + KEY_TAIL_SIZE;
        if (tailed !== (packet.nonce !== undefined) || tailed !== (packet.share !== undefined)) {
          fail(`key tail ${packet.nonce} ${packet.share}`);
        }
        if (packet.nonce !== undefined) sameBytes(packet.nonce, at, NONCE_SIZE, "the nonce");
        if (packet.share !== undefined) {
          sameBytes(packet.share, at + NONCE_SIZE, SHARE_SIZE, "the key share");
        }
      }
      if (packet.type === PacketType.HELLO) {
        const padding = bytes.subarray(OFFSET_HELLO_NONCE, OFFSET_HELLO_NONCE + NONCE_SIZE);
        if (padding.some((b) => b !== 0) !== (packet.nonce !== undefined)) {
          fail(`nonce ${packet.nonce}`);
        }
        if (packet.nonce !== undefined) {
          sameBytes(packet.nonce, OFFSET_HELLO_NONCE, NONCE_SIZE, "the nonce");
        }
      }
      if (packet.receiver !== view.getUint32(OFFSET_RECEIVER)) fail("receiver differs");
      if ("cookie" in packet) sameBytes(packet.cookie, cookieAt!, COOKIE_SIZE, "the cookie");
      if (packet.type === PacketType.KEEPALIVE) {
        const { rttMs, queueDelayMs, ...counters } = packet.report;
        for (const [name, value] of Object.entries(counters)) {
          if (!isUint(value, UINT32_MAX)) fail(`report.${name} is ${value}`);
        }
        for (const ms of [rttMs, queueDelayMs]) {
          if (!(ms >= 0 && ms <= UINT32_MAX / 1000)) fail(`a report time is ${ms}`);
        }
        if (view.getUint32(OFFSET_REPORT) !== packet.report.fragments) fail("report differs");
      }
    }
  }
}

/** Decodes, failing with the input if decodePacket() throws; checks what it accepts. */
function decodeChecked(bytes: Uint8Array, where: string): Decoded {
  let decoded: Decoded;
  try {
    decoded = decodePacket(bytes);
  } catch (error) {
    assert.fail(`${where}: decodePacket() threw ${error} on ${describe(bytes)}`);
  }
  if (decoded.ok) {
    assertConsistent(bytes, decoded.packet, where);
  } else if (!REASONS.includes(decoded.reason)) {
    assert.fail(`${where}: unknown reject reason ${decoded.reason} for ${describe(bytes)}`);
  }
  return decoded;
}

function decodeOk(bytes: Uint8Array, where: string): Packet {
  const decoded = decodeChecked(bytes, where);
  if (!decoded.ok) assert.fail(`${where}: ${describe(bytes)} rejected as ${decoded.reason}`);
  return decoded.packet;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A field to write an extreme value into: where it is in a datagram and what to write. */
interface FieldWrite {
  name: string;
  /** The field's offset in `bytes`, or undefined if it has no such field. */
  at: (random: Random, bytes: Uint8Array) => number | undefined;
  size: 1 | 2 | 4 | 8;
  values: readonly number[];
}

function fixed(offset: number) {
  return () => offset;
}

/** One of the NACK ranges' fields, in whichever range the datagram has. */
function inRange(field: number) {
  return (random: Random, bytes: Uint8Array) => {
    const ranges = Math.floor((bytes.length - NACK_HEADER_SIZE) / NACK_RANGE_SIZE);
    if (ranges < 1) return undefined;
    return NACK_HEADER_SIZE + random.int(0, ranges - 1) * NACK_RANGE_SIZE + field;
  };
}

const FIELD_WRITES: readonly FieldWrite[] = [
  { name: "type", at: fixed(OFFSET_TYPE), size: 1, values: [0, ...TYPES, 0x7f, 0x87, 0xff] },
  { name: "refusal reason", at: fixed(OFFSET_REFUSAL), size: 1, values: [0, ...REFUSALS, 0xff] },
  { name: "session", at: fixed(OFFSET_SESSION), size: 4, values: [0, UINT32_MAX] },
  { name: "frame", at: fixed(OFFSET_FRAME), size: 4, values: [0, 0x8000_0000, UINT32_MAX] },
  {
    name: "frameLength",
    at: fixed(OFFSET_FRAME_LENGTH),
    size: 4,
    values: [
      0,
      1,
      0xffff,
      0x1_0000,
      MAX_FRAGMENTS * 0xffff,
      MAX_FRAGMENTS * 0xffff + 1,
      0x7fff_ffff,
      0x8000_0000,
      UINT32_MAX,
    ],
  },
  {
    name: "fragment index",
    at: fixed(OFFSET_INDEX),
    size: 2,
    values: [0, 1, 0x7ffe, 0x7fff, 0x8000, 0xffff],
  },
  { name: "parity group", at: fixed(OFFSET_GROUP), size: 1, values: [0, 1, 0xfe, 0xff] },
  { name: "parity groups", at: fixed(OFFSET_GROUPS), size: 1, values: [0, 1, 0xfe, 0xff] },
  {
    name: "fragmentSize",
    at: fixed(OFFSET_FRAGMENT_SIZE),
    size: 2,
    values: [0, 1, 2, 0x7fff, 0xfffe, 0xffff],
  },
  {
    name: "captureTime",
    at: fixed(OFFSET_CAPTURE_TIME),
    size: 8,
    values: [NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE],
  },
  { name: "NACK range index", at: inRange(RANGE_INDEX), size: 2, values: [0, 0x7ffe, 0x7fff] },
  { name: "NACK range index", at: inRange(RANGE_INDEX), size: 2, values: [0x8000, 0xffff] },
  {
    name: "NACK range count",
    at: inRange(RANGE_COUNT),
    size: 2,
    values: [0, 1, 0x7fff, 0x8000, 0xffff],
  },
  { name: "report rtt", at: fixed(OFFSET_REPORT + 20), size: 4, values: [UINT32_MAX] },
];

function writeField(bytes: Uint8Array, at: number, size: number, value: number): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 1) view.setUint8(at, value);
  else if (size === 2) view.setUint16(at, value);
  else if (size === 4) view.setUint32(at, value);
  else view.setFloat64(at, value);
}

/** Ways to damage a datagram; each returns a new array and names what it did. */
const MUTATIONS: ReadonlyArray<(random: Random, bytes: Uint8Array) => [Uint8Array, string]> = [
  function flipBits(random, bytes) {
    const out = bytes.slice();
    const flips = random.int(1, 8);
    for (let i = 0; i < flips && out.length > 0; i++) {
      out[random.int(0, out.length - 1)] ^= 1 << random.int(0, 7);
    }
    return [out, `${flips} bit flips`];
  },
  function overwriteBytes(random, bytes) {
    const out = bytes.slice();
    const writes = random.int(1, 8);
    for (let i = 0; i < writes && out.length > 0; i++) {
      out[random.int(0, out.length - 1)] = random.int(0, 0xff);
    }
    return [out, `${writes} byte overwrites`];
  },
  function truncate(random, bytes) {
    const length = random.int(0, Math.max(0, bytes.length - 1));
    return [bytes.slice(0, length), `truncation to ${length}`];
  },
  function extend(random, bytes) {
    const junk = random.bytes(random.logInt(2000));
    return [concat(bytes, junk), `extension by ${junk.length}`];
  },
  function writeExtreme(random, bytes) {
    const field = random.pick(FIELD_WRITES);
    const at = field.at(random, bytes);
    if (at === undefined || at + field.size > bytes.length) return [bytes, `no ${field.name}`];
    const value = random.pick(field.values);
    const out = bytes.slice();
    writeField(out, at, field.size, value);
    return [out, `${field.name} = ${value}`];
  },
];

Deno.test("decodePacket() never throws on random bytes of 0 to 2000", () => {
  const BASE = 0x1_0000;
  let accepted = 0;
  for (let seed = BASE; seed < BASE + 6000; seed++) {
    const random = new Random(seed);
    const bytes = random.bytes(random.int(0, 2000));
    // Most get past the magic and version, to reach the type's own checks.
    if (bytes.length >= 4 && random.chance(0.8)) {
      new DataView(bytes.buffer).setUint16(0, MAGIC);
      bytes[OFFSET_VERSION] = random.chance(0.9) ? VERSION : random.int(0, 0xff);
      bytes[OFFSET_TYPE] = random.chance(0.9) ? random.pick(TYPES) : random.int(0, 0xff);
    }
    if (decodeChecked(bytes, label(seed, BASE)).ok) accepted++;
  }
  assert.ok(
    accepted > 500,
    `only ${accepted} random datagrams accepted: the cases test too little`,
  );
});

Deno.test("decodePacket() never throws on mutated datagrams, and what it accepts is consistent", () => {
  const BASE = 0x2_0000;
  const CASES = 20_000;
  let accepted = 0;
  for (let seed = BASE; seed < BASE + CASES; seed++) {
    const random = new Random(seed);
    const type = random.pick(TYPES);
    let bytes: Uint8Array = encode(randomPacket(random, type));
    const steps: string[] = [];
    for (let n = random.int(1, 3); n > 0; n--) {
      const [mutated, step] = random.pick(MUTATIONS)(random, bytes);
      bytes = mutated;
      steps.push(step);
    }
    const where = `${label(seed, BASE)}: ${TYPE_NAMES[type]} after ${steps.join(", ")}`;
    if (decodeChecked(bytes, where).ok) accepted++;
  }
  assert.ok(accepted > CASES / 10, `only ${accepted} mutated datagrams accepted`);
});

Deno.test("decodePacket() reads back every packet type as encoded", () => {
  const BASE = 0x3_0000;
  for (let seed = BASE; seed < BASE + 5000; seed++) {
    const random = new Random(seed);
    const packet = randomPacket(random, random.pick(TYPES), 0xffff);
    const where = `${label(seed, BASE)}: ${TYPE_NAMES[packet.type]}`;
    assert.deepEqual(decodeOk(encode(packet), where), packet, where);
  }
});

Deno.test("decodePacket() reads a datagram inside a larger buffer from its own bytes only", () => {
  const BASE = 0x4_0000;
  for (let seed = BASE; seed < BASE + 3000; seed++) {
    const random = new Random(seed);
    const packet = randomPacket(random, random.pick(TYPES));
    const bytes = encode(packet);
    const before = random.int(0, 64);
    const buffer = random.bytes(before + bytes.length + random.int(0, 64));
    buffer.set(bytes, before);
    const where = `${label(seed, BASE)}: ${TYPE_NAMES[packet.type]} at offset ${before}`;
    assert.deepEqual(
      decodeOk(buffer.subarray(before, before + bytes.length), where),
      packet,
      where,
    );
    // One byte short inside the same buffer: the byte after the view must not be read.
    const cut = buffer.subarray(before, before + bytes.length - 1);
    const short = decodeChecked(cut, where);
    // A control message with an optional part loses it, and no more.
    const hasTail = (packet.type === PacketType.CHALLENGE || packet.type === PacketType.JOIN) &&
        packet.nonce !== undefined ||
      packet.type === PacketType.REFUSED && packet.echo !== undefined;
    if (hasTail) {
      assert.deepEqual(short, { ok: true, packet: asDecoded(packet, cut) }, where);
    } else {
      assert.equal(short.ok, false, where);
    }
  }
});

Deno.test("decodePacket() rejects every truncation but a NACK's whole ranges", () => {
  const BASE = 0x5_0000;
  for (let seed = BASE; seed < BASE + 270; seed++) {
    const random = new Random(seed);
    const packet = randomPacket(random, TYPES[seed % TYPES.length], 600);
    const bytes = encode(packet);
    const where = `${label(seed, BASE)}: ${TYPE_NAMES[packet.type]}`;
    for (let length = 0; length < bytes.length; length++) {
      const at = `${where} cut to ${length} of ${bytes.length}`;
      const decoded = decodeChecked(bytes.subarray(0, length), at);
      if (packet.type === PacketType.NACK) {
        const body = length - NACK_HEADER_SIZE;
        if (body >= NACK_RANGE_SIZE && body % NACK_RANGE_SIZE === 0) {
          assert.ok(decoded.ok && decoded.packet.type === PacketType.NACK, at);
          assert.deepEqual(decoded.packet.ranges, packet.ranges.slice(0, body / NACK_RANGE_SIZE));
          continue;
        }
        const reason = body < NACK_RANGE_SIZE ? "short" : "malformed";
        assert.deepEqual(decoded, { ok: false, reason }, at);
      } else if (packet.type === PacketType.DATA || packet.type === PacketType.PARITY) {
        const reason = length <= DATA_HEADER_SIZE ? "short" : "malformed";
        assert.deepEqual(decoded, { ok: false, reason }, at);
      } else if (length >= CONTROL[packet.type].size) {
        // Only a message with an optional part is longer than its type's size: cut, it loses it.
        assert.ok(
          [PacketType.CHALLENGE, PacketType.JOIN, PacketType.REFUSED].includes(packet.type as 2),
          at,
        );
        const cut = bytes.subarray(0, length);
        assert.deepEqual(decoded, { ok: true, packet: asDecoded(packet, cut) }, at);
      } else {
        assert.deepEqual(decoded, { ok: false, reason: "short" }, at);
      }
    }
  }
});

Deno.test("decodePacket() ignores junk after a control message and rejects it after a fragment", () => {
  const BASE = 0x6_0000;
  for (let seed = BASE; seed < BASE + 3000; seed++) {
    const random = new Random(seed);
    const packet = randomPacket(random, random.pick(TYPES));
    const junk = random.bytes(
      random.chance(0.5) ? NACK_RANGE_SIZE * random.int(1, 4) : 1 + random.logInt(2000),
    );
    const where = `${label(seed, BASE)}: ${TYPE_NAMES[packet.type]} and ${junk.length} junk bytes`;
    const decoded = decodeChecked(concat(encode(packet), junk), where);
    if (packet.type === PacketType.DATA || packet.type === PacketType.PARITY) {
      assert.deepEqual(decoded, { ok: false, reason: "malformed" }, where);
    } else if (packet.type === PacketType.NACK) {
      const fits = junk.length % NACK_RANGE_SIZE === 0 &&
        packet.ranges.length + junk.length / NACK_RANGE_SIZE <= MAX_NACK_RANGES;
      if (!fits) assert.deepEqual(decoded, { ok: false, reason: "malformed" }, where);
      if (decoded.ok && decoded.packet.type === PacketType.NACK) {
        assert.deepEqual(decoded.packet.ranges.slice(0, packet.ranges.length), packet.ranges);
      }
    } else if (
      packet.type === PacketType.CHALLENGE || packet.type === PacketType.JOIN ||
      packet.type === PacketType.REFUSED
    ) {
      // Junk long enough to be an optional part missing is read as it.
      const bytes = concat(encode(packet), junk);
      assert.deepEqual(decoded, { ok: true, packet: asDecoded(packet, bytes) }, where);
    } else if (packet.type === PacketType.ACK) {
      // Junk that fits the sender's info (start time, name length, name) is read as it.
      const startedAt = junk.length >= 8 ? new DataView(junk.buffer).getFloat64(0) : NaN;
      const length = junk[8];
      const fits = junk.length >= 9 && length <= MAX_SENDER_NAME &&
        junk.length >= 9 + length && Number.isFinite(startedAt);
      const info = fits
        ? { info: { name: new TextDecoder().decode(junk.subarray(9, 9 + length)), startedAt } }
        : {};
      assert.deepEqual(decoded, { ok: true, packet: { ...packet, ...info } }, where);
    } else {
      assert.deepEqual(decoded, { ok: true, packet }, where);
    }
  }
});

Deno.test("decodePacket() rejects a foreign magic, another version or an unknown type", () => {
  const BASE = 0x7_0000;
  for (let seed = BASE; seed < BASE + 3000; seed++) {
    const random = new Random(seed);
    const packet = randomPacket(random, random.pick(TYPES));
    const bytes = encode(packet);
    const view = new DataView(bytes.buffer);
    const where = `${label(seed, BASE)}: ${TYPE_NAMES[packet.type]}`;
    const field = random.int(0, 2);
    let reason: RejectReason;
    if (field === 0) {
      const magic = random.int(0, 0xffff);
      view.setUint16(0, magic === MAGIC ? magic ^ 1 : magic);
      reason = "foreign";
    } else if (field === 1) {
      bytes[OFFSET_VERSION] = random.pick([0, 2, 3, 0x7f, 0xff]);
      reason = "version";
    } else {
      // A type this version does not define (the top bit marks a sealed datagram).
      bytes[OFFSET_TYPE] = random.pick(UNKNOWN_TYPES);
      reason = "type";
    }
    assert.deepEqual(decodeChecked(bytes, where), { ok: false, reason }, where);
  }
});

/** Ways to make a valid packet contradict itself; each must be rejected as malformed. */
const CONTRADICTIONS: ReadonlyArray<
  [string, (random: Random, packet: Packet) => Uint8Array | undefined]
> = [
  ["fragmentSize 0", (_, p) => "fragmentSize" in p ? encode({ ...p, fragmentSize: 0 }) : undefined],
  ["frameLength 0", (_, p) => "frameLength" in p ? encode({ ...p, frameLength: 0 }) : undefined],
  [
    "a captureTime that is not finite",
    (random, p) =>
      "captureTime" in p
        ? encode({ ...p, captureTime: random.pick([NaN, Infinity, -Infinity]) })
        : undefined,
  ],
  [
    "more than 32,767 fragments",
    (random, p) => {
      if (!("fragmentSize" in p)) return undefined;
      const least = MAX_FRAGMENTS * p.fragmentSize + 1;
      return encode({ ...p, frameLength: random.int(least, Math.max(least, UINT32_MAX)) });
    },
  ],
  [
    "an index past the last fragment",
    (random, p) => {
      if (p.type !== PacketType.DATA) return undefined;
      const count = Math.ceil(p.frameLength / p.fragmentSize);
      return encode({ ...p, index: random.int(count, MAX_FRAGMENTS) });
    },
  ],
  [
    "a payload one byte too long or short",
    (random, p) => {
      if (p.type !== PacketType.DATA && p.type !== PacketType.PARITY) return undefined;
      const payload = random.chance(0.5) || p.payload.length === 1
        ? concat(p.payload, random.bytes(1))
        : p.payload.subarray(1);
      return encode({ ...p, payload });
    },
  ],
  [
    "0 parity groups",
    (_, p) => p.type === PacketType.PARITY ? encode({ ...p, groups: 0, group: 0 }) : undefined,
  ],
  [
    "a parity group past the last",
    (random, p) =>
      p.type === PacketType.PARITY
        ? encode({ ...p, group: random.int(p.groups, 0xff) })
        : undefined,
  ],
  [
    "more parity groups than fragments",
    (random, p) => {
      if (p.type !== PacketType.PARITY) return undefined;
      const count = Math.ceil(p.frameLength / p.fragmentSize);
      if (count >= 0xff) return undefined;
      return encode({ ...p, groups: random.int(count + 1, 0xff), group: 0 });
    },
  ],
  [
    "a NACK range of 0 fragments",
    (random, p) => p.type === PacketType.NACK ? patchRange(random, p, RANGE_COUNT, 0) : undefined,
  ],
  [
    "a NACK range past fragment 32,766",
    (random, p) => {
      if (p.type !== PacketType.NACK) return undefined;
      const bytes = encode(p);
      const i = random.int(0, p.ranges.length - 1);
      const index = random.int(0, MAX_FRAGMENTS);
      const at = NACK_HEADER_SIZE + i * NACK_RANGE_SIZE;
      writeField(bytes, at + RANGE_INDEX, 2, index);
      writeField(
        bytes,
        at + RANGE_COUNT,
        2,
        random.int(Math.max(1, MAX_FRAGMENTS - index + 1), 0xffff),
      );
      return bytes;
    },
  ],
  [
    "a refusal reason the format does not define",
    (random, p) => {
      if (p.type !== PacketType.REFUSED) return undefined;
      const bytes = encode(p);
      bytes[OFFSET_REFUSAL] = random.pick([0, Math.max(...REFUSALS) + 1, 0x7f, 0xff]);
      return bytes;
    },
  ],
  [
    "a NACK with part of a range",
    (random, p) =>
      p.type === PacketType.NACK
        ? concat(encode(p), random.bytes(random.int(1, NACK_RANGE_SIZE - 1)))
        : undefined,
  ],
  [
    "a NACK of more than 128 ranges",
    (random, p) => {
      if (p.type !== PacketType.NACK) return undefined;
      const ranges = Array.from({ length: random.int(MAX_NACK_RANGES + 1, 200) }, (_, i) => {
        return p.ranges[i % p.ranges.length];
      });
      const head = encode({ ...p, ranges: ranges.slice(0, MAX_NACK_RANGES) });
      const rest = encode({ ...p, ranges: ranges.slice(MAX_NACK_RANGES) });
      return concat(head, rest.subarray(NACK_HEADER_SIZE));
    },
  ],
];

function patchRange(random: Random, packet: Nack, field: number, value: number): Uint8Array {
  const bytes = encode(packet);
  const at = NACK_HEADER_SIZE + random.int(0, packet.ranges.length - 1) * NACK_RANGE_SIZE;
  writeField(bytes, at + field, 2, value);
  return bytes;
}

Deno.test("decodePacket() rejects a DATA, PARITY, NACK or REFUSED whose fields contradict each other", () => {
  const BASE = 0x8_0000;
  const kinds = [PacketType.DATA, PacketType.PARITY, PacketType.NACK, PacketType.REFUSED] as const;
  let checked = 0;
  for (let seed = BASE; seed < BASE + 6000; seed++) {
    const random = new Random(seed);
    const packet = randomPacket(random, random.pick(kinds), random.pick([300, 2000, 0xffff]));
    const [name, contradict] = random.pick(CONTRADICTIONS);
    const bytes = contradict(random, packet);
    if (bytes === undefined) continue;
    const where = `${label(seed, BASE)}: ${TYPE_NAMES[packet.type]} with ${name}`;
    assert.deepEqual(decodeChecked(bytes, where), { ok: false, reason: "malformed" }, where);
    checked++;
  }
  assert.ok(checked > 1500, `only ${checked} contradictions checked`);
});

Deno.test("encodeNack() throws a RangeError for a range out of bounds, or encodes what decodes", () => {
  const BASE = 0x9_0000;
  for (let seed = BASE; seed < BASE + 3000; seed++) {
    const random = new Random(seed);
    const ranges: NackRange[] = Array.from({ length: random.int(1, 4) }, () => {
      // Mostly in bounds; otherwise a value at or just past an edge.
      const index = random.chance(0.8)
        ? random.int(0, MAX_FRAGMENTS - 1)
        : random.pick([-0x8000, -2, -1, 0, MAX_FRAGMENTS - 1, MAX_FRAGMENTS, 0xffff]);
      const count = random.chance(0.8)
        ? random.int(1, Math.max(1, MAX_FRAGMENTS - index))
        : random.pick([-1, 0, 1, MAX_FRAGMENTS, MAX_FRAGMENTS + 1, 0x10001]);
      return { frame: random.uint32(), index, count };
    });
    const nack = {
      session: random.uint32(),
      receiver: random.uint32(),
      cookie: random.bytes(16),
      ranges,
    };
    const inBounds = ranges.every(({ index, count }) =>
      index >= 0 && count >= 1 && index + count <= MAX_FRAGMENTS
    );
    const where = `${label(seed, BASE)}: ranges ${JSON.stringify(ranges)}`;
    if (!inBounds) {
      assert.throws(() => encodeNack(nack), RangeError, where);
      continue;
    }
    assert.deepEqual(decodeOk(encodeNack(nack), where), { type: PacketType.NACK, ...nack }, where);
  }
});

Deno.test("fragmentFrame() and parityDatagrams() make datagrams that decode to the frame", () => {
  const BASE = 0xa_0000;
  for (let seed = BASE; seed < BASE + 600; seed++) {
    const random = new Random(seed);
    const mtu = random.chance(0.7) ? random.int(MIN_MTU, 1500) : random.int(MIN_MTU, MAX_DATAGRAM);
    const data = random.bytes(Math.min(random.logInt(100_000), maxFrameLength(mtu)));
    const session = random.uint32();
    const frame = random.uint32();
    const captureTime = finiteTime(random);
    const where = `${label(seed, BASE)}: ${data.length} bytes at MTU ${mtu}`;
    const fragments = fragmentFrame(data, captureTime, { session, frame, mtu });
    const rebuilt = new Uint8Array(data.length);
    let fragmentSize = 0;
    fragments.forEach((datagram, i) => {
      assert.ok(datagram.length <= mtu, where);
      const packet = decodeOk(datagram, where);
      assert.ok(packet.type === PacketType.DATA, where);
      assert.deepEqual(
        [packet.session, packet.frame, packet.frameLength, packet.index, packet.captureTime],
        [session, frame, data.length, i, captureTime],
        where,
      );
      fragmentSize = packet.fragmentSize;
      rebuilt.set(packet.payload, i * fragmentSize);
    });
    assert.deepEqual(rebuilt, data, where);
    const groupSize = random.int(1, 20);
    const parity = parityDatagrams(data, captureTime, { session, frame, fragmentSize, groupSize });
    parity.forEach((datagram, group) => {
      const packet = decodeOk(datagram, `${where}, group ${group}`);
      assert.ok(packet.type === PacketType.PARITY, where);
      assert.equal(packet.group, group, where);
      assert.equal(packet.groups, parity.length, where);
      // The XOR of the group's fragments and its parity is all zeros.
      const sum = packet.payload.slice();
      for (let i = group; i < fragments.length; i += packet.groups) {
        const payload = fragments[i].subarray(DATA_HEADER_SIZE);
        for (let b = 0; b < payload.length; b++) sum[b] ^= payload[b];
      }
      assert.ok(sum.every((b) => b === 0), `${where}: group ${group} parity is not its XOR`);
    });
  }
});
