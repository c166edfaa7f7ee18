/**
 * How long the receiver takes to put one 1080p JPEG (about 200 KB, 171
 * fragments at the default MTU) back together. Run with
 * `deno bench tests/reassembler_bench.ts`.
 *
 * @module
 */
import { fragmentFrame } from "../../lib/wire/fragment_frame.ts";
import { type Data, decodePacket, PacketType, type Parity } from "../../lib/wire/mod.ts";
import { parityDatagrams } from "../../lib/wire/parity_datagrams.ts";
import { Reassembler } from "../../lib/receive/reassembler.ts";

const LENGTH = 200_000;
const MTU = 1200;
const jpeg = Uint8Array.from({ length: LENGTH }, (_, i) => (i * 7919) & 0xff);

function decoded(datagrams: Uint8Array[]): Array<Data | Parity> {
  return datagrams.map((datagram) => {
    const result = decodePacket(datagram);
    if (!result.ok) throw new Error("undecodable");
    return result.packet as Data | Parity;
  });
}

const fragments = decoded(fragmentFrame(jpeg, 1, { session: 1, frame: 0, mtu: MTU }));
const parity = decoded(
  parityDatagrams(jpeg, 1, { session: 1, frame: 0, fragmentSize: MTU - 28, groupSize: 10 }),
);
if (fragments.length !== 171) throw new Error(`${fragments.length} fragments`);

/**
 * Times one frame's datagrams, `packets`, fed to one reassembler under a new
 * frame number each time (renumbered before the clock starts).
 */
function bench(name: string, packets: Array<Data | Parity>): void {
  const reassembler = new Reassembler();
  let frame = 0;
  Deno.bench(name, (b) => {
    frame++;
    for (const packet of packets) packet.frame = frame;
    b.start();
    let whole;
    for (const packet of packets) {
      whole ??= packet.type === PacketType.DATA
        ? reassembler.push(packet, frame)
        : reassembler.pushParity(packet, frame);
    }
    b.end();
    if (whole?.data.length !== LENGTH) throw new Error(`frame ${frame} not whole`);
  });
}

bench("a 200 KB frame, 171 fragments in order", fragments);
bench("a 200 KB frame, 171 fragments in reverse", [...fragments].reverse());
bench("a 200 KB frame, one fragment rebuilt from parity", [
  ...fragments.slice(0, 50),
  ...fragments.slice(51),
  ...parity,
]);
