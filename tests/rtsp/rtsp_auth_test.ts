import assert from "node:assert/strict";
import { authorization, parseAuthenticate } from "../../lib/rtsp/mod.ts";

Deno.test("Digest with qop=auth answers RFC 2617's own example", () => {
  const challenges = parseAuthenticate(
    'Digest realm="testrealm@host.com", qop="auth,auth-int", ' +
      'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  );
  const header = authorization(challenges, {
    username: "Mufasa",
    password: "Circle Of Life",
    method: "GET",
    uri: "/dir/index.html",
    cnonce: "0a4f113b",
    nc: 1,
  });
  assert.match(header, /^Digest /);
  assert.match(header, /response="6629fae49393a05397450978507c4ef1"/);
  assert.match(header, /qop=auth, nc=00000001, cnonce="0a4f113b"/);
  assert.match(header, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
});

Deno.test("Digest is taken over Basic when both are offered: the password does not cross the network", () => {
  const challenges = parseAuthenticate('Basic realm="m"\nDigest realm="m", nonce="abc"');
  const header = authorization(challenges, {
    username: "u",
    password: "p",
    method: "ANNOUNCE",
    uri: "rtsp://h/a",
  });
  assert.match(
    header,
    /^Digest username="u", realm="m", nonce="abc", uri="rtsp:\/\/h\/a", response="[0-9a-f]{32}"$/,
  );
  assert.ok(!header.includes('"p"'));
});

Deno.test("Basic alone is answered; a scheme not spoken is refused", () => {
  assert.equal(
    authorization(parseAuthenticate('Basic realm="m"'), {
      username: "u",
      password: "p",
      method: "OPTIONS",
      uri: "x",
    }),
    `Basic ${btoa("u:p")}`,
  );
  assert.throws(
    () =>
      authorization(parseAuthenticate('Digest realm="m", nonce="n", algorithm=SHA-256'), {
        username: "u",
        password: "p",
        method: "OPTIONS",
        uri: "x",
      }),
    /not spoken \(digest SHA-256\)/,
  );
});

Deno.test("a server that offered Digest gets no password in the clear, even when it also offers Basic", () => {
  assert.throws(
    () =>
      authorization(
        parseAuthenticate('Digest realm="m", nonce="n", algorithm=SHA-256\nBasic realm="m"'),
        { username: "u", password: "p", method: "OPTIONS", uri: "x" },
      ),
    /not spoken/,
  );
});
