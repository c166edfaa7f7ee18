import assert from "node:assert/strict";
import { EMPTY_REPORT } from "../../lib/wire/mod.ts";
import { decodePacket } from "../../lib/wire/decode_packet.ts";
import { PacketType } from "../../lib/wire/header.ts";
import { fragmentFrame } from "../../lib/wire/fragment_frame.ts";
import { PeerLink } from "../../lib/send/peer_link.ts";
import type { Peer } from "../../lib/send/receiver_registry.ts";
import { ResendQueue } from "../../lib/send/resend_queue.ts";

const ADDRESS: Deno.NetAddr = { transport: "udp", hostname: "127.0.0.1", port: 5000 };
const PEER: Peer = {
  key: "127.0.0.1:5000",
  address: ADDRESS,
  receiver: 1,
  cookie: new Uint8Array(16),
  cookieMadeAt: 0,
  joinedAt: 0,
  lastSeen: 0,
};

/** Four fragments of frame 1, 328 bytes each. */
const FRAGMENTS = fragmentFrame(new Uint8Array(1200).fill(9), 0, {
  session: 7,
  frame: 1,
  mtu: 328,
});

/** A link that lost `missing` of 1000 datagrams sent, and holds `credit` bytes of resends. */
function link(missing: number, credit?: number): PeerLink {
  const link = new PeerLink();
  link.report(EMPTY_REPORT, 0);
  for (let i = 0; i < 1000; i++) link.sent(1200);
  link.report({ ...EMPTY_REPORT, fragments: 1000 - missing, missing }, 250);
  if (credit !== undefined) link.spend(link.credit - credit, false);
  return link;
}

/** A queue that records what it sends; `closeAfter` sends, the sender is closed. */
function queue(closeAfter = Infinity) {
  const sent: Uint8Array[] = [];
  const resends = new ResendQueue({
    seal: (datagram) => datagram,
    transmit: (datagram) => {
      if (sent.length >= closeAfter) return Promise.resolve(false);
      sent.push(datagram);
      return Promise.resolve(true);
    },
  });
  resends.keep(1, FRAGMENTS, 0);
  return { resends, sent };
}

Deno.test("ResendQueue answers a NACK: once on a clean link, twice on a lossy one", async () => {
  const cases: Array<{
    name: string;
    link: PeerLink | undefined;
    taken: boolean;
    sent: number[];
    skipped: number;
  }> = [
    { name: "a clean link", link: link(0), taken: true, sent: [1, 2], skipped: 0 },
    { name: "a lossy link", link: link(10), taken: true, sent: [1, 2, 1, 2], skipped: 0 },
    { name: "a congested link", link: link(300), taken: true, sent: [1, 2], skipped: 0 },
    { name: "no link", link: undefined, taken: false, sent: [], skipped: 0 },
    { name: "credit for one", link: link(0, 400), taken: true, sent: [1], skipped: 1 },
    {
      name: "a lossy link with credit for three: the first copies first",
      link: link(10, 1000),
      taken: true,
      sent: [1, 2, 1],
      skipped: 1,
    },
  ];
  for (const c of cases) {
    const { resends, sent } = queue();
    const ranges = [{ frame: 1, index: 1, count: 2 }];
    assert.equal(resends.nack(PEER, ranges, c.link, 10), c.taken, c.name);
    await resends.flush();
    assert.deepEqual(sent.map(indexOf), c.sent, c.name);
    assert.ok(sent.every(isResent), `${c.name}: marked resent`);
    const stats = resends.stats;
    assert.equal(stats.resentDatagrams, c.sent.length, c.name);
    assert.equal(stats.resendsSkipped, c.skipped, c.name);
    assert.equal(stats.resendsMissed, 0, c.name);
  }
});

Deno.test("ResendQueue counts what it no longer holds as missed", async () => {
  const { resends, sent } = queue();
  resends.nack(
    PEER,
    [{ frame: 2, index: 0, count: 3 }, { frame: 1, index: 3, count: 2 }],
    link(0),
    10,
  );
  await resends.flush();
  assert.equal(sent.length, 1);
  assert.equal(resends.stats.resendsMissed, 4);
  resends.clear();
  resends.nack(PEER, [{ frame: 1, index: 0, count: 1 }], link(0), 10);
  await resends.flush();
  assert.equal(sent.length, 1, "nothing held after clear()");
  assert.equal(resends.stats.resendsMissed, 5);
});

Deno.test("ResendQueue.flush() stops once the sender is closed", async () => {
  const { resends, sent } = queue(1);
  assert.ok(resends.nack(PEER, [{ frame: 1, index: 0, count: 3 }], link(0), 10));
  await resends.flush();
  assert.equal(sent.length, 1);
  assert.equal(resends.stats.resentDatagrams, 1);
});

Deno.test("ResendQueue.copyTail() sends a copy to a lossy link only", async () => {
  const cases: Array<{ name: string; link: PeerLink | undefined; copied: boolean }> = [
    { name: "a lossy link", link: link(10), copied: true },
    { name: "a clean link", link: link(0), copied: false },
    { name: "a congested link", link: link(300), copied: false },
    { name: "no link", link: undefined, copied: false },
    { name: "a lossy link out of credit", link: link(10, 100), copied: false },
  ];
  for (const c of cases) {
    const { resends, sent } = queue();
    const tail = FRAGMENTS[FRAGMENTS.length - 1];
    assert.equal(await resends.copyTail(tail, PEER, c.link), true, c.name);
    assert.deepEqual(sent, c.copied ? [tail] : [], c.name);
    assert.equal(resends.stats.resentBytes, c.copied ? tail.length : 0, c.name);
    assert.equal(c.link?.stats("a").resent ?? 0, 0, `${c.name}: not counted as requested`);
  }
  const { resends } = queue(0);
  assert.equal(await resends.copyTail(FRAGMENTS[3], PEER, link(10)), false, "closed");
});

/** The fragment index of a DATA datagram. */
function indexOf(datagram: Uint8Array): number {
  const decoded = decodePacket(datagram);
  assert.ok(decoded.ok && decoded.packet.type === PacketType.DATA);
  return decoded.packet.index;
}

/** Whether a DATA datagram is marked as sent again. */
function isResent(datagram: Uint8Array): boolean {
  const decoded = decodePacket(datagram);
  return decoded.ok && decoded.packet.type === PacketType.DATA && decoded.packet.resent;
}
