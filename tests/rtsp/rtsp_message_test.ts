import assert from "node:assert/strict";
import { encodeRtspRequest, interleave, RtspReader } from "../../lib/rtsp/mod.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("a request is its line, CSeq, headers and a body with its length", () => {
  assert.equal(
    text(encodeRtspRequest({
      method: "ANNOUNCE",
      url: "rtsp://h:8554/a",
      cseq: 2,
      headers: { "Content-Type": "application/sdp" },
      body: "v=0\r\n",
    })),
    "ANNOUNCE rtsp://h:8554/a RTSP/1.0\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n" +
      "Content-Length: 5\r\n\r\nv=0\r\n",
  );
  assert.throws(
    () => encodeRtspRequest({ method: "X", url: "u", cseq: 1, headers: { A: "b\r\nEvil: 1" } }),
    RangeError,
  );
});

Deno.test("responses and interleaved packets are read in order, whatever pieces they come in", () => {
  const packet = Uint8Array.of(0x80, 201, 0, 1, 9, 9, 9, 9);
  const stream = new Uint8Array([
    ...bytes("RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: ANNOUNCE, RECORD\r\n\r\n"),
    ...interleave(1, packet),
    ...bytes('RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm="r"\r\n'),
    ...bytes('WWW-Authenticate: Basic realm="r"\r\nContent-Length: 3\r\n\r\nabc'),
  ]);
  for (const size of [1, 7, stream.length]) {
    const reader = new RtspReader();
    const got = [];
    for (let at = 0; at < stream.length; at += size) {
      got.push(...reader.push(stream.subarray(at, at + size)));
    }
    assert.equal(got.length, 3, `in pieces of ${size}`);
    assert.deepEqual(got[0], {
      type: "response",
      response: {
        status: 200,
        reason: "OK",
        headers: { cseq: "1", public: "ANNOUNCE, RECORD" },
        body: "",
      },
    });
    assert.deepEqual(got[1], { type: "interleaved", channel: 1, packet });
    assert.equal(got[2].type === "response" && got[2].response.status, 401);
    assert.equal(
      got[2].type === "response" && got[2].response.headers["www-authenticate"],
      'Digest realm="r"\nBasic realm="r"',
    );
    assert.equal(got[2].type === "response" && got[2].response.body, "abc");
  }
});

Deno.test("a server that sends what is not RTSP, or an endless head, is refused rather than buffered", () => {
  assert.throws(() => new RtspReader().push(bytes("HTTP/1.1 200 OK\r\n\r\n")), /answered "HTTP/);
  assert.throws(() => new RtspReader().push(bytes("HTTP/1.1 2")), /not RTSP/);
  const endless = new RtspReader();
  endless.push(bytes("RTSP/1.0 200 OK\r\n"));
  assert.throws(() => {
    for (let i = 0; i < 2000; i++) {
      endless.push(bytes("X-Filler: 0123456789012345678901234567\r\n"));
    }
  }, /64 KB/);
  assert.throws(
    () => new RtspReader().push(bytes("RTSP/1.0 200 OK\r\nContent-Length: -4\r\n\r\n")),
    /Content-Length/,
  );
});

Deno.test("a server's reason phrase reaches the log without control characters", () => {
  const [got] = new RtspReader().push(
    bytes("RTSP/1.0 400 Bad\x1b[31m\x1b]52;c;aGk=\x07 Request\u202e\r\nCSeq: 1\r\n\r\n"),
  );
  assert.equal(got.type === "response" && got.response.reason, "Bad[31m]52;c;aGk= Request");
  assert.throws(
    () => new RtspReader().push(bytes("X\x1b[2J\r\n\r\n")),
    (error: Error) => !error.message.includes("\x1b"),
  );
});
