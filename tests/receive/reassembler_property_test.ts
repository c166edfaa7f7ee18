/**
 * Properties of reassembly checked on thousands of random streams: random
 * frames at random MTUs, with and without parity, delivered in random order
 * with random loss and duplication, mixed with damaged and forged datagrams.
 * Every case is drawn from its own seed, named in any failure as
 * `seed S (case I)`: `new Random(S)` draws that case again.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fragmentFrame, MIN_MTU } from "../../lib/wire/fragment_frame.ts";
import { MAX_FRAME_BYTES } from "../../lib/hub/frame.ts";
import {
  type Data,
  DATA_HEADER_SIZE,
  decodePacket,
  encodeControl,
  encodeDataHeader,
  encodeParityHeader,
  markResent,
  MAX_DATAGRAM,
  MAX_FRAGMENTS,
  MAX_PARITY_GROUPS,
  type Packet,
  PacketType,
  type Parity,
} from "../../lib/wire/mod.ts";
import { parityDatagrams } from "../../lib/wire/parity_datagrams.ts";
import {
  type AssembledFrame,
  Reassembler,
  type ReassemblerOptions,
} from "../../lib/receive/reassembler.ts";
import type { ReassemblerStats } from "../../lib/receive/reassembler_stats.ts";
import { ReceiverLink } from "../../lib/receive/receiver_link.ts";
import { Random } from "../_random.ts";

/** The largest frame drawn, in bytes. */
const MAX_TEST_FRAME = 200_000;
/** The reassembler's defaults, as documented in lib/receive/reassembler.ts. */
const DEFAULTS = {
  maxFrames: 8,
  maxFrameBytes: MAX_FRAME_BYTES,
  maxPendingBytes: 64 * 1024 * 1024,
  budgetMs: 1000,
  maxAgeMs: 2000,
};
const DUE = { reorderMs: 2, retryMs: 10, tailMs: 3, awaitParity: true };
const CAPTURE_EPOCH = 1_700_000_000_000;
const RECEIVER = 0x0bad_cafe;

function label(seed: number, base: number): string {
  return `seed ${seed} (case ${seed - base})`;
}

/** One frame as the sender put it on the wire. */
interface SentFrame {
  frame: number;
  data: Uint8Array;
  captureTime: number;
  fragmentSize: number;
  /** The DATA datagrams, by fragment index. */
  fragments: Uint8Array[];
  /** The PARITY datagrams, by group; none without `--fec`. */
  parity: Uint8Array[];
}

/** A random stream: its session, how it is cut, and its frames. */
interface Stream extends SendOptions {
  frames: SentFrame[];
  byNumber: Map<number, SentFrame>;
}

/** How a stream is cut and sent. */
interface SendOptions {
  session: number;
  mtu: number;
  /** Fragments per parity datagram; 0 for no parity. */
  groupSize: number;
}

function sendFrame(data: Uint8Array, frame: number, options: SendOptions): SentFrame {
  const { session, mtu, groupSize } = options;
  const captureTime = CAPTURE_EPOCH + frame * 33;
  const fragments = fragmentFrame(data, captureTime, { session, frame, mtu });
  const fragmentSize = Math.min(mtu - DATA_HEADER_SIZE, data.length);
  const parity = groupSize === 0
    ? []
    : parityDatagrams(data, captureTime, { session, frame, fragmentSize, groupSize });
  return { frame, data, captureTime, fragmentSize, fragments, parity };
}

/** A stream of 1 to `maxFrames` frames (exactly `frames` if given) of 1 to `maxLength` bytes. */
function randomStream(
  random: Random,
  { maxFrames = 1, frames: exactly = 0, maxLength = MAX_TEST_FRAME },
): Stream {
  const options: SendOptions = {
    session: random.int(1, 0xffff_ffff),
    mtu: random.chance(0.7)
      ? random.int(MIN_MTU, 1500)
      : random.pick([MIN_MTU, 1500, 9000, random.int(MIN_MTU, MAX_DATAGRAM), MAX_DATAGRAM]),
    groupSize: random.chance(0.5) ? random.int(1, 16) : 0,
  };
  const count = exactly || random.int(1, maxFrames);
  const frames: SentFrame[] = [];
  let frame = random.chance(0.2) ? random.int(0, 0xffff_fff0 - 3 * count) : random.int(0, 100);
  for (let n = 0; n < count; n++) {
    frames.push(sendFrame(random.bytes(random.logInt(maxLength)), frame, options));
    // The sender may leave frames out for a slow receiver.
    frame += random.chance(0.8) ? 1 : random.int(2, 3);
  }
  return { ...options, frames, byNumber: new Map(frames.map((f) => [f.frame, f])) };
}

/** What a stream's datagrams become on the way: some lost, some twice, in some order. */
interface Path {
  loss: number;
  duplication: number;
  /** How far apart datagrams may be reordered: 0 keeps each frame's datagrams together. */
  order: "within frames" | "anywhere" | "nearby";
}

/** One datagram on its way, with what it carries, for the checks. */
interface Delivery {
  datagram: Uint8Array;
  frame: number;
  /** The fragment index, or -1 - group for parity. */
  slot: number;
}

function deliveries(random: Random, stream: Stream, path: Path): Delivery[] {
  const blocks = stream.frames.map((sent) => {
    const block: Delivery[] = [];
    const add = (datagram: Uint8Array, slot: number) => {
      if (random.chance(path.loss)) return;
      const copies = random.chance(path.duplication) ? random.int(2, 3) : 1;
      for (let i = 0; i < copies; i++) block.push({ datagram, frame: sent.frame, slot });
    };
    sent.fragments.forEach((datagram, index) => add(datagram, index));
    sent.parity.forEach((datagram, group) => add(datagram, -1 - group));
    return block;
  });
  if (path.order === "within frames") return blocks.flatMap((block) => random.shuffle(block));
  const all = blocks.flat();
  if (path.order === "anywhere") return random.shuffle(all);
  const window = random.int(2, 64);
  return all.map((delivery, i) => ({ delivery, key: i + random.float() * window }))
    .sort((a, b) => a.key - b.key)
    .map(({ delivery }) => delivery);
}

function randomPath(random: Random, order: Path["order"], lossless = false): Path {
  return {
    loss: lossless || random.chance(0.25) ? 0 : random.float() * 0.3,
    duplication: random.chance(0.5) ? 0 : random.float() * 0.3,
    order,
  };
}

/** The first index where `a` and `b` differ, or -1 if they are the same. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/**
 * Decodes datagrams into one reused buffer, as a socket would, feeds them to
 * a reassembler, and checks every frame it emits: never twice, never older
 * than one emitted, and the same bytes as the frame sent with that number.
 * Without a stream, frames may be forged, so only their order and size are
 * checked.
 */
class Receiver {
  readonly reassembler: Reassembler;
  readonly shown: number[] = [];
  readonly limits: typeof DEFAULTS;
  #stream: Stream | undefined;
  #where: string;
  #buffer = new Uint8Array(MAX_DATAGRAM + 1000);

  constructor(stream: Stream | undefined, where: string, options: ReassemblerOptions = {}) {
    this.reassembler = new Reassembler(options);
    this.limits = { ...DEFAULTS, ...options };
    this.#stream = stream;
    this.#where = where;
  }

  /** Decodes `datagram` into the shared buffer; the packet is valid until the next call. */
  decode(datagram: Uint8Array): Packet | undefined {
    this.#buffer.set(datagram);
    this.#buffer.fill(0xee, datagram.length, datagram.length + 64);
    const decoded = decodePacket(this.#buffer.subarray(0, datagram.length));
    return decoded.ok ? decoded.packet : undefined;
  }

  /** Pushes a decoded DATA or PARITY packet and checks what comes out. */
  push(packet: Data | Parity, now: number, what = "a datagram"): AssembledFrame | undefined {
    let frame: AssembledFrame | undefined;
    try {
      frame = packet.type === PacketType.DATA
        ? this.reassembler.push(packet, now)
        : this.reassembler.pushParity(packet, now);
    } catch (error) {
      assert.fail(`${this.#where}: pushing ${what} of frame ${packet.frame} threw ${error}`);
    }
    this.checkLimits();
    if (frame !== undefined) this.#check(frame, now);
    return frame;
  }

  /** Delivers one real datagram. */
  deliver(datagram: Uint8Array, now: number): AssembledFrame | undefined {
    const packet = this.decode(datagram);
    if (packet?.type !== PacketType.DATA && packet?.type !== PacketType.PARITY) {
      assert.fail(`${this.#where}: a datagram the sender made does not decode`);
    }
    return this.push(packet, now);
  }

  /** Asserts the memory held is within the reassembler's limits. */
  checkLimits(): void {
    const { pendingFrames, pendingBytes } = this.reassembler.stats;
    const { maxFrames, maxPendingBytes } = this.limits;
    if (
      pendingFrames > maxFrames || pendingBytes > maxPendingBytes || pendingBytes < 0 ||
      (pendingFrames === 0) !== (pendingBytes === 0)
    ) {
      assert.fail(
        `${this.#where}: ${pendingFrames} frames in progress holding ${pendingBytes} bytes ` +
          `(limits ${maxFrames} frames, ${maxPendingBytes} bytes)`,
      );
    }
  }

  #check(frame: AssembledFrame, now: number): void {
    const where = `${this.#where}: frame ${frame.frame}`;
    if (this.shown.includes(frame.frame)) assert.fail(`${where} was emitted twice`);
    const newest = this.shown.at(-1) ?? -1;
    if (frame.frame < newest) assert.fail(`${where} was emitted after frame ${newest}`);
    this.shown.push(frame.frame);
    if (frame.data.length > this.limits.maxFrameBytes) {
      assert.fail(`${where} of ${frame.data.length} bytes is over the limit`);
    }
    if (now - frame.firstArrival > this.limits.maxAgeMs) {
      assert.fail(`${where} was emitted ${now - frame.firstArrival} ms after it began`);
    }
    if (this.#stream === undefined) return;
    const sent = this.#stream.byNumber.get(frame.frame);
    if (sent === undefined) assert.fail(`${where} was emitted but never sent`);
    const at = firstDifference(frame.data, sent.data);
    if (at >= 0) {
      assert.fail(
        `${where} differs from the one sent from byte ${at} ` +
          `(${frame.data.length} bytes emitted, ${sent.data.length} sent)`,
      );
    }
    assert.equal(frame.captureTime, sent.captureTime, where);
    assert.equal(frame.fragments, sent.fragments.length, where);
  }

  /** Asserts that once the stream's newest frame is shown, no older one is held. */
  checkIdle(): void {
    const newest = this.#stream?.frames.at(-1)?.frame;
    if (newest === undefined || !this.shown.includes(newest)) return;
    const { pendingFrames, pendingBytes } = this.reassembler.stats;
    if (pendingFrames !== 0 || pendingBytes !== 0) {
      assert.fail(
        `${this.#where}: ${pendingFrames} older frames still held (${pendingBytes} bytes) ` +
          `after the newest, ${newest}, was shown`,
      );
    }
  }

  /** Gives up everything in progress, past every deadline, and asserts nothing is held. */
  expire(now: number): void {
    this.reassembler.due(now + this.limits.maxAgeMs + this.limits.budgetMs + 1, DUE);
    const { pendingFrames, pendingBytes } = this.reassembler.stats;
    assert.deepEqual([pendingFrames, pendingBytes], [0, 0], `${this.#where}: held past maxAgeMs`);
  }
}

/**
 * Whether a frame can be put together from what was delivered: every
 * fragment, or for each parity group at most one missing and its parity.
 */
function recoverable(sent: SentFrame, delivered: Delivery[]): boolean {
  const got = new Set(delivered.filter((d) => d.frame === sent.frame).map((d) => d.slot));
  const groups = sent.parity.length;
  if (groups === 0) return sent.fragments.every((_, index) => got.has(index));
  const missing = new Array(groups).fill(0);
  sent.fragments.forEach((_, index) => {
    if (!got.has(index)) missing[index % groups]++;
  });
  return missing.every((n, group) => n === 0 || (n === 1 && got.has(-1 - group)));
}

Deno.test("Reassembler emits every frame of a lossless stream, once and byte for byte", () => {
  const BASE = 0x10_0000;
  for (let seed = BASE; seed < BASE + 1000; seed++) {
    const random = new Random(seed);
    const stream = randomStream(random, { maxFrames: 6 });
    const path = randomPath(random, "within frames", true);
    const where = `${label(seed, BASE)}: MTU ${stream.mtu}, group size ${stream.groupSize}`;
    const receiver = new Receiver(stream, where);
    let now = 0;
    for (const { datagram } of deliveries(random, stream, path)) {
      receiver.deliver(datagram, now += 0.01);
    }
    assert.deepEqual(receiver.shown, stream.frames.map((f) => f.frame), where);
    receiver.checkIdle();
    receiver.expire(now);
  }
});

Deno.test("Reassembler emits exactly the frames that loss left whole or parity can rebuild", () => {
  const BASE = 0x20_0000;
  let rebuilt = 0;
  for (let seed = BASE; seed < BASE + 1500; seed++) {
    const random = new Random(seed);
    const stream = randomStream(random, { maxFrames: 6 });
    const path = randomPath(random, "within frames");
    const where = `${label(seed, BASE)}: MTU ${stream.mtu}, group size ${stream.groupSize}, ` +
      `loss ${path.loss.toFixed(3)}`;
    const receiver = new Receiver(stream, where);
    const delivered = deliveries(random, stream, path);
    let now = 0;
    for (const { datagram } of delivered) receiver.deliver(datagram, now += 0.01);
    const expected = stream.frames.filter((sent) => recoverable(sent, delivered));
    assert.deepEqual(receiver.shown, expected.map((f) => f.frame), where);
    rebuilt += receiver.reassembler.stats.packetsRebuilt;
    receiver.checkIdle();
    receiver.expire(now);
  }
  assert.ok(rebuilt > 1000, `only ${rebuilt} fragments rebuilt from parity in all cases`);
});

Deno.test("Reassembler emits only whole frames, newest last, whatever the order and resends", () => {
  const BASE = 0x30_0000;
  for (let seed = BASE; seed < BASE + 1000; seed++) {
    const random = new Random(seed);
    const stream = randomStream(random, { maxFrames: 12 });
    const path = randomPath(random, random.pick(["anywhere", "nearby"] as const));
    const resend = random.chance(0.7);
    // Sometimes on a slow link, where large frames outlive a short maxAgeMs.
    const options = random.chance(0.3) ? { maxAgeMs: random.int(5, 50) } : {};
    const stepMs = options.maxAgeMs === undefined ? 0.05 : 0.2;
    const where = `${label(seed, BASE)}: MTU ${stream.mtu}, group size ${stream.groupSize}, ` +
      `loss ${path.loss.toFixed(3)}, ${path.order}${resend ? ", with resends" : ""}, ` +
      `maxAgeMs ${options.maxAgeMs ?? "default"}`;
    const receiver = new Receiver(stream, where, options);
    const queue = deliveries(random, stream, path);
    let now = 0;
    for (let i = 0; i < queue.length; i++) {
      receiver.deliver(queue[i].datagram, now += random.float() * stepMs);
      if (!random.chance(0.05)) continue;
      // The receiver asks for what is missing; the sender answers some of it, later.
      for (const range of receiver.reassembler.due(now, DUE)) {
        const sent = stream.byNumber.get(range.frame);
        if (sent === undefined) assert.fail(`${where}: asked for frame ${range.frame}, never sent`);
        assert.ok(
          range.index + range.count <= sent.fragments.length,
          `${where}: asked past the end`,
        );
        if (!resend) continue;
        for (let index = range.index; index < range.index + range.count; index++) {
          if (random.chance(path.loss)) continue;
          const datagram = markResent(sent.fragments[index]);
          queue.splice(random.int(i + 1, i + 20), 0, { datagram, frame: sent.frame, slot: index });
        }
      }
    }
    const stats = receiver.reassembler.stats;
    assert.equal(stats.framesCompleted, receiver.shown.length, where);
    if (path.loss === 0 && options.maxAgeMs === undefined) {
      assert.equal(
        receiver.shown.at(-1),
        stream.frames.at(-1)!.frame,
        `${where}: newest not shown`,
      );
    }
    receiver.checkIdle();
    receiver.expire(now);
  }
});

/** A link joined to `session`, which accepts DATA and PARITY of that session only. */
function joinedLink(random: Random, session: number): ReceiverLink {
  const link = new ReceiverLink({ receiver: RECEIVER });
  const control = (packet: Parameters<typeof encodeControl>[0]) => {
    const decoded = decodePacket(encodeControl(packet));
    assert.ok(decoded.ok);
    link.handle(decoded.packet, 0);
  };
  const cookie = random.bytes(16);
  control({
    type: PacketType.CHALLENGE,
    session,
    receiver: RECEIVER,
    echoTime: 0,
    senderTime: 0,
    cookie,
  });
  control({ type: PacketType.ACK, session, receiver: RECEIVER, echoTime: 0, senderTime: 0 });
  return link;
}

/** Ways to damage a datagram in flight. */
function damage(random: Random, datagram: Uint8Array): Uint8Array {
  const out = datagram.slice();
  switch (random.int(0, 3)) {
    case 0:
      for (let n = random.int(1, 4); n > 0; n--) {
        out[random.int(0, out.length - 1)] ^= 1 << random.int(0, 7);
      }
      return out;
    case 1:
      for (let n = random.int(1, 4); n > 0; n--) {
        out[random.int(0, out.length - 1)] = random.int(0, 255);
      }
      return out;
    case 2:
      return out.slice(0, random.int(0, out.length - 1));
    default: {
      const longer = new Uint8Array(out.length + random.int(1, 64));
      longer.set(out);
      return longer;
    }
  }
}

/** A frame layout other than `sent`'s: its length, fragment size or capture time differs. */
function otherLayout(random: Random, sent: SentFrame) {
  let { captureTime, fragmentSize } = sent;
  let frameLength = sent.data.length;
  switch (random.int(0, 2)) {
    case 0:
      captureTime = random.chance(0.5) ? captureTime + random.float() * 100 : 0;
      break;
    case 1:
      frameLength = frameLength === 1
        ? 2
        : random.chance(0.5)
        ? frameLength - 1
        : random.logInt(MAX_TEST_FRAME);
      break;
    default:
      fragmentSize = random.int(
        Math.max(1, Math.ceil(frameLength / MAX_FRAGMENTS)),
        MAX_DATAGRAM - DATA_HEADER_SIZE,
      );
  }
  if (
    frameLength === sent.data.length && fragmentSize === sent.fragmentSize &&
    captureTime === sent.captureTime
  ) {
    captureTime++;
  }
  return { frameLength, fragmentSize, captureTime, count: Math.ceil(frameLength / fragmentSize) };
}

/** A well-formed DATA or PARITY datagram of `sent`'s frame and session with another layout. */
function forgeLayout(random: Random, session: number, sent: SentFrame): Uint8Array {
  const { frameLength, fragmentSize, captureTime, count } = otherLayout(random, sent);
  const fields = { session, frame: sent.frame, frameLength, fragmentSize, captureTime };
  if (count >= 2 && random.chance(0.3)) {
    const groups = random.int(1, Math.min(count, MAX_PARITY_GROUPS));
    const datagram = random.bytes(DATA_HEADER_SIZE + fragmentSize);
    encodeParityHeader(datagram, { ...fields, group: random.int(0, groups - 1), groups });
    return datagram;
  }
  const index = random.chance(0.5) ? count - 1 : random.int(0, count - 1);
  const length = index === count - 1 ? frameLength - index * fragmentSize : fragmentSize;
  const datagram = random.bytes(DATA_HEADER_SIZE + length);
  encodeDataHeader(datagram, { ...fields, index });
  return datagram;
}

function dropped(stats: ReassemblerStats): number {
  return Object.values(stats.packetsDropped).reduce((a, b) => a + b, 0);
}

/** The real datagram a decoded packet is a copy of, if it is one (a resend included). */
function original(sent: SentFrame | undefined, packet: Data | Parity): Uint8Array | undefined {
  if (sent === undefined) return undefined;
  return packet.type === PacketType.DATA ? sent.fragments[packet.index] : sent.parity[packet.group];
}

function sameLayout(sent: SentFrame, packet: Data | Parity): boolean {
  return packet.frameLength === sent.data.length && packet.fragmentSize === sent.fragmentSize &&
    packet.captureTime === sent.captureTime;
}

function sameDatagram(real: Uint8Array, copy: Uint8Array): boolean {
  if (real.length !== copy.length) return false;
  for (let i = 0; i < real.length; i++) {
    // The resent bit may differ: a resend carries the same fragment.
    if (real[i] !== copy[i] && !(i === 16 && (real[i] ^ copy[i]) === 0x80)) return false;
  }
  return true;
}

Deno.test("Reassembler never uses a datagram of another session or layout than its frame's", () => {
  const BASE = 0x40_0000;
  const counts = { otherSession: 0, otherLayout: 0, rejected: 0, forgeries: 0 };
  for (let seed = BASE; seed < BASE + 800; seed++) {
    const random = new Random(seed);
    const stream = randomStream(random, { maxFrames: 10 });
    const path = randomPath(random, random.pick(["within frames", "anywhere", "nearby"] as const));
    const where = `${label(seed, BASE)}: MTU ${stream.mtu}, group size ${stream.groupSize}, ` +
      `loss ${path.loss.toFixed(3)}, ${path.order}`;
    const receiver = new Receiver(stream, where);
    const link = joinedLink(random, stream.session);
    const pushed = new Set<number>();
    let now = 0;
    /** Passes a decoded packet through the link's session check, then to the reassembler. */
    const accept = (packet: Packet): packet is Data | Parity => {
      if (packet.type !== PacketType.DATA && packet.type !== PacketType.PARITY) return false;
      return link.handle(packet, now).accept === true;
    };
    /** Pushes a packet that must be dropped: another layout than its frame's first datagram. */
    const mustDrop = (packet: Data | Parity, what: string) => {
      const before = receiver.reassembler.stats;
      const frame = receiver.push(packet, now, what);
      const after = receiver.reassembler.stats;
      if (
        frame !== undefined || after.packetsUsed !== before.packetsUsed ||
        after.packetsRebuilt !== before.packetsRebuilt || dropped(after) !== dropped(before) + 1
      ) {
        assert.fail(`${where}: ${what} of frame ${packet.frame} was used, not dropped`);
      }
      counts.otherLayout++;
    };
    for (const delivery of deliveries(random, stream, path)) {
      now += 0.01;
      const packet = receiver.decode(delivery.datagram);
      assert.ok(packet !== undefined && accept(packet), `${where}: a real datagram was refused`);
      receiver.push(packet, now);
      pushed.add(delivery.frame);
      if (!random.chance(0.4)) continue;
      // Something else arrives too, about a frame already started.
      const sent = stream.byNumber.get(random.pick([...pushed]))!;
      const kind = random.int(0, 2);
      const real = random.pick([...sent.fragments, ...sent.parity]);
      const forged = kind === 0
        ? forgeLayout(random, stream.session, sent)
        : kind === 1
        ? damage(random, real)
        : forgeLayout(random, stream.session ^ random.int(1, 0xffff_ffff), sent);
      const fake = receiver.decode(forged);
      if (fake === undefined) {
        counts.rejected++;
        continue;
      }
      if (!accept(fake)) {
        counts.otherSession++;
        continue;
      }
      const sentAs = stream.byNumber.get(fake.frame);
      if (sentAs !== undefined && pushed.has(fake.frame) && !sameLayout(sentAs, fake)) {
        mustDrop(fake, kind === 0 ? "a forged layout" : "a damaged datagram");
        continue;
      }
      const copyOf = original(sentAs, fake);
      if (copyOf !== undefined && sameDatagram(copyOf, forged)) {
        receiver.push(fake, now);
        continue;
      }
      // A self-consistent forgery: without authentication it may change a frame, so it
      // is left out here; "accepted garbage" below feeds such datagrams.
      counts.forgeries++;
    }
    receiver.expire(now);
  }
  for (const [kind, n] of Object.entries(counts)) {
    assert.ok(n > 100, `only ${n} of kind ${kind}: the cases test too little`);
  }
});

/**
 * A DATA or PARITY datagram of `frame` the decoder accepts, written into
 * `buffer`, every other field at random; a share `huge` of them claim frames
 * of 8 MB to 2 GB.
 */
function garbage(
  random: Random,
  buffer: Uint8Array,
  { session, frame, huge }: { session: number; frame: number; huge: number },
): Uint8Array {
  const large = random.chance(huge);
  const fragmentSize = large
    ? random.int(0x8000, 0xffff)
    : random.logInt(random.chance(0.5) ? 2000 : 0xffff);
  const count = large ? random.int(256, MAX_FRAGMENTS) : random.logInt(MAX_FRAGMENTS);
  const frameLength = (count - 1) * fragmentSize + random.int(1, fragmentSize);
  const fields = {
    session,
    frame,
    frameLength,
    fragmentSize,
    captureTime: random.chance(0.5) ? CAPTURE_EPOCH : random.float() * 1e13,
  };
  if (count >= 2 && random.chance(0.3)) {
    const groups = random.int(1, Math.min(count, MAX_PARITY_GROUPS));
    encodeParityHeader(buffer, { ...fields, group: random.int(0, groups - 1), groups });
    return buffer.subarray(0, DATA_HEADER_SIZE + fragmentSize);
  }
  const index = random.chance(0.3) ? count - 1 : random.int(0, count - 1);
  encodeDataHeader(buffer, { ...fields, index });
  const length = index === count - 1 ? frameLength - index * fragmentSize : fragmentSize;
  return buffer.subarray(0, DATA_HEADER_SIZE + length);
}

Deno.test("Reassembler survives accepted garbage without throwing, repeating or passing its limits", () => {
  const BASE = 0x50_0000;
  const small = { maxFrames: 3, maxFrameBytes: 150_000, maxPendingBytes: 400_000 };
  // Either deadline may come first.
  const limits: ReassemblerOptions[] = [
    {},
    { ...small, budgetMs: 20, maxAgeMs: 50 },
    { ...small, budgetMs: 100, maxAgeMs: 30 },
  ];
  const scratch = new Uint8Array(DATA_HEADER_SIZE + 0xffff);
  let fed = 0;
  for (let seed = BASE; seed < BASE + 800; seed++) {
    const random = new Random(seed);
    const stream = randomStream(random, { maxFrames: 8 });
    const path = randomPath(random, random.pick(["within frames", "anywhere", "nearby"] as const));
    const options = random.pick(limits);
    const where = `${label(seed, BASE)}: limits ${JSON.stringify(options)}`;
    // Forged frames may be emitted: the receiver checks only their order and size.
    const receiver = new Receiver(undefined, where, options);
    let now = 0;
    const feed = (datagram: Uint8Array, what: string) => {
      const packet = receiver.decode(datagram);
      if (packet?.type !== PacketType.DATA && packet?.type !== PacketType.PARITY) return;
      if (packet.session !== stream.session) return;
      receiver.push(packet, now, what);
      fed++;
    };
    for (const { datagram, frame } of deliveries(random, stream, path)) {
      now += random.float() * (options.maxAgeMs === undefined ? 0.05 : 2);
      feed(datagram, "a real datagram");
      for (let n = random.int(0, 2); n > 0; n--) {
        if (random.chance(0.5)) {
          feed(damage(random, datagram), "a damaged datagram");
        } else {
          // Mostly about frames in progress; rarely far ahead, which stops the stream.
          const near = random.chance(0.995)
            ? Math.max(0, frame + random.int(-4, 12))
            : random.uint32();
          feed(
            garbage(random, scratch, { session: stream.session, frame: near, huge: 0.05 }),
            "garbage",
          );
        }
      }
      if (random.chance(0.02)) receiver.reassembler.due(now, DUE);
    }
    assert.equal(receiver.reassembler.stats.framesCompleted, receiver.shown.length, where);
    receiver.expire(now);
  }
  assert.ok(fed > 100_000, `only ${fed} datagrams fed`);
});

Deno.test("Reassembler stays within its limits under 10,000 packets claiming huge frames", () => {
  const BASE = 0x60_0000;
  const scratch = new Uint8Array(DATA_HEADER_SIZE + 0xffff);
  const limits: ReassemblerOptions[] = [
    {},
    { maxFrames: 4, maxFrameBytes: 1_000_000, maxPendingBytes: 2_000_000 },
  ];
  for (let seed = BASE; seed < BASE + limits.length; seed++) {
    const random = new Random(seed);
    const options = limits[seed - BASE];
    const where = `${label(seed, BASE)}: limits ${JSON.stringify(options)}`;
    const receiver = new Receiver(undefined, where, options);
    const r = receiver.reassembler;
    const { maxFrameBytes } = receiver.limits;
    let now = 0;
    let huge = 0;
    let head = 0;
    let peak = 0;
    for (let i = 0; i < 10_000; i++) {
      now += random.float() * 0.5;
      head += random.chance(0.2) ? 1 : 0;
      const frame = Math.max(0, head + random.int(-2, 6));
      const packet = receiver.decode(garbage(random, scratch, { session: 1, frame, huge: 0.3 }));
      if (packet?.type !== PacketType.DATA && packet?.type !== PacketType.PARITY) {
        assert.fail(`${where}: garbage ${i} does not decode`);
      }
      const before = r.stats;
      const emitted = receiver.push(packet, now, `packet ${i}`);
      peak = Math.max(peak, r.stats.pendingFrames);
      if (packet.frameLength <= maxFrameBytes) continue;
      huge++;
      // A frame over the limit is never started, and nothing is held for it.
      const after = r.stats;
      if (
        emitted !== undefined || after.pendingBytes > before.pendingBytes ||
        after.pendingFrames > before.pendingFrames
      ) {
        assert.fail(`${where}: packet ${i} claiming ${packet.frameLength} bytes was taken`);
      }
    }
    assert.ok(huge > 1000, `${where}: only ${huge} packets claimed huge frames`);
    assert.ok(r.stats.packetsDropped.oversize > 500, where);
    assert.equal(peak, receiver.limits.maxFrames, `${where}: the frame limit was never reached`);
    receiver.expire(now);
    r.reset();
    assert.deepEqual([r.stats.pendingFrames, r.stats.pendingBytes], [0, 0], where);
  }
});

Deno.test("Reassembler shows a stream again after one datagram with a frame number far ahead", () => {
  const BASE = 0x70_0000;
  const { budgetMs, maxAgeMs } = DEFAULTS;
  for (let seed = BASE; seed < BASE + 40; seed++) {
    const random = new Random(seed);
    const periodMs = random.int(20, 50);
    // Long enough to run on for twice the longest a frame may be held, and more.
    const frames = Math.ceil((4 * (budgetMs + maxAgeMs)) / periodMs);
    const stream = randomStream(random, { frames, maxLength: 4000 });
    const receiver = new Receiver(stream, label(seed, BASE));
    // One datagram comes with a higher bit of its frame number set, all else intact.
    const damaged = random.int(2, 30);
    const { frame } = stream.frames[damaged];
    const clear = Array.from({ length: 24 }, (_, i) => i + 8).filter((bit) =>
      !(frame & (1 << bit))
    );
    if (clear.length === 0) continue;
    const ahead = (frame | (1 << random.pick(clear))) >>> 0;
    const datagram = stream.frames[damaged].fragments[0].slice();
    new DataView(datagram.buffer).setUint32(8, ahead);
    const fake = receiver.decode(datagram);
    assert.ok(fake?.type === PacketType.DATA, "a damaged frame number leaves a valid datagram");
    const where = `${label(seed, BASE)}: frame ${frame} came once as frame ${fake.frame}`;
    const damagedAt = damaged * periodMs;
    receiver.reassembler.push(fake, damagedAt);
    stream.frames.forEach((sent, n) => {
      for (const fragment of sent.fragments) receiver.deliver(fragment, n * periodMs);
    });
    const due = stream.frames.filter((_, n) =>
      n * periodMs > damagedAt + 2 * (budgetMs + maxAgeMs)
    );
    const missed = due.filter((sent) => !receiver.shown.includes(sent.frame));
    if (missed.length > 0) {
      assert.fail(
        `${where} at ${damagedAt} ms; ${missed.length} of the ${due.length} frames sent ` +
          `from ${2 * (budgetMs + maxAgeMs)} ms later were never shown ` +
          `(frames ${missed[0].frame} to ${missed.at(-1)!.frame}; ` +
          `${receiver.reassembler.stats.packetsDropped.late} datagrams dropped as late)`,
      );
    }
  }
});
