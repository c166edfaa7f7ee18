import assert from "node:assert/strict";
import { encodeSenderReport } from "../../lib/rtp/mod.ts";

Deno.test("encodeSenderReport() writes an RTCP SR and an SDES CNAME as this byte vector", () => {
  const bytes = encodeSenderReport({
    ssrc: 0x01020304,
    wallMs: 1_700_000_000_500,
    rtpTimestamp: 12345,
    packets: 10,
    octets: 11800,
    cname: "udpcam@pi",
  });
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(
    hex,
    // SR: V=2, PT 200, length 6; SSRC; NTP 3908988800.5 s; RTP 12345; 10 packets; 11800 octets.
    "80c80006" + "01020304" + "e8fe6f80" + "80000000" + "00003039" + "0000000a" + "00002e18" +
      // SDES: V=2 SC=1, PT 202, length 4; SSRC; CNAME (1) of 9 bytes; END and padding.
      "81ca0004" + "01020304" + "0109" +
      [..."udpcam@pi"].map((c) => c.charCodeAt(0).toString(16)).join("") +
      "00",
  );
  assert.equal(bytes.length % 4, 0);
});
