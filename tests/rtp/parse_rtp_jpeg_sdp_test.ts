import assert from "node:assert/strict";
import { parseRtpJpegSdp, rtpJpegSdp, SdpError } from "../../lib/rtp/mod.ts";

Deno.test("parseRtpJpegSdp() reads the SDPs ffmpeg writes (-sdp_file), static and dynamic payload types", () => {
  const multicast = "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=No Name\nc=IN IP4 239.1.1.1/2\nt=0 0\n" +
    "a=tool:libavformat LIBAVFORMAT_VERSION\nm=video 5006 RTP/AVP 26\nb=AS:200\n";
  assert.deepEqual(parseRtpJpegSdp(multicast), {
    address: "239.1.1.1",
    port: 5006,
    payloadType: 26,
  });
  const dynamic =
    "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
    "m=video 5008 RTP/AVP 96\r\nb=AS:200\r\na=rtpmap:96 JPEG/90000\r\n";
  assert.deepEqual(parseRtpJpegSdp(dynamic), { address: "127.0.0.1", port: 5008, payloadType: 96 });
});

Deno.test("parseRtpJpegSdp() reads back what rtpJpegSdp() writes, x-dimensions included, and takes the JPEG stream of several", () => {
  const written = rtpJpegSdp({
    address: "239.2.2.2",
    port: 6000,
    ttl: 1,
    width: 3840,
    height: 2160,
  });
  assert.deepEqual(parseRtpJpegSdp(written), {
    address: "239.2.2.2",
    port: 6000,
    payloadType: 26,
    size: { width: 3840, height: 2160 },
  });
  const several = "v=0\nc=IN IP4 10.0.0.9\nm=audio 5000 RTP/AVP 0\nm=video 5002 RTP/AVP 96\n" +
    "a=rtpmap:96 H264/90000\nm=video 5004 RTP/AVP 97\nc=IN IP4 10.0.0.10\na=rtpmap:97 jpeg/90000\n";
  assert.deepEqual(parseRtpJpegSdp(several), { address: "10.0.0.10", port: 5004, payloadType: 97 });
});

Deno.test("parseRtpJpegSdp() says what is missing from an SDP it cannot use", () => {
  for (
    const text of [
      "",
      "v=0\nc=IN IP4 1.2.3.4\nm=video 5000 RTP/AVP 96\na=rtpmap:96 H264/90000\n",
      "v=0\nm=video 5000 RTP/AVP 26\n",
      "v=0\nc=IN IP4 1.2.3.4\nm=video 70000 RTP/AVP 26\n",
    ]
  ) {
    assert.throws(() => parseRtpJpegSdp(text), SdpError, JSON.stringify(text));
  }
});

Deno.test("parseRtpJpegSdp() keeps another stream's c= to that stream, and refuses an x-dimensions out of range", () => {
  const text = "v=0\nc=IN IP4 239.1.1.1/1\nm=audio 5000 RTP/AVP 0\nc=IN IP4 239.1.1.2/1\n" +
    "m=video 5004 RTP/AVP 26\n";
  assert.equal(parseRtpJpegSdp(text).address, "239.1.1.1");
  assert.throws(
    () =>
      parseRtpJpegSdp("v=0\nc=IN IP4 1.2.3.4\nm=video 5004 RTP/AVP 26\na=x-dimensions:70000,1\n"),
    SdpError,
  );
});
