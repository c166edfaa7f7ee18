/**
 * The queueing delay a receiver reports does not move when its estimate of
 * the sender's clock does: a sender and a receiver in this process, through
 * the relay, the handshake's round trip held up by a second on the way back
 * (as a receiver stalled just then would see it).
 */
import assert from "node:assert/strict";
import { ImpairRelay } from "../../scripts/impair/impair_relay.ts";
import { wallClock } from "../../lib/util/clock.ts";
import { UdpReceiver } from "../../lib/receive/udp_receiver.ts";
import { UdpSender } from "../../lib/send/udp_sender.ts";

function bind(): Deno.DatagramConn {
  return Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port: 0 });
}

/** A small JPEG-shaped frame: SOI, a SOF0 header with the size, EOI. */
function jpeg(): Uint8Array {
  const bytes = new Uint8Array(3000).fill(7);
  bytes.set([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0, 16, 0, 16, 3]);
  bytes.set([0xff, 0xd9], bytes.length - 2);
  return bytes;
}

Deno.test("queue delay stays under 5 ms while the clock offset estimate moves by 500 ms", async () => {
  const sender = new UdpSender({ socket: bind(), paceBitsPerSecond: 50e6 });
  // Down (sender to receiver) takes 1 s during the handshake: the ACK comes
  // back a second late, and the clock offset taken from it is half a second off.
  const relay = new ImpairRelay({
    listen: { hostname: "127.0.0.1", port: 0 },
    target: sender.addr,
    down: { delayMs: 1000 },
  });
  const receiver = new UdpReceiver({ socket: bind(), sender: relay.addr });
  const frame = jpeg();
  let sending = true;
  let frames: Promise<void> | undefined;
  try {
    while (sender.receivers === 0 || receiver.state === "connecting") {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Joined: the way back is quick from now on, and frames start.
    relay.impair("down", {});
    const joinedOffset = receiver.clockOffsetMs;
    frames = (async () => {
      while (sending) {
        await sender.send({ data: frame, captureTime: wallClock() });
        await new Promise((resolve) => setTimeout(resolve, 33));
      }
    })();
    let worst = 0;
    const started = performance.now();
    while (performance.now() - started < 4000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      worst = Math.max(worst, receiver.stats().queueDelayMs);
    }
    const moved = Math.abs(receiver.clockOffsetMs - joinedOffset);
    assert.ok(moved >= 400, `the offset estimate moved ${moved.toFixed(0)} ms`);
    assert.ok(worst < 5, `queue delay up to ${worst} ms`);
    assert.ok(receiver.stats().framesReceived > 60);
  } finally {
    sending = false;
    await frames;
    await receiver.close();
    await sender.close();
    await relay.close();
  }
});
