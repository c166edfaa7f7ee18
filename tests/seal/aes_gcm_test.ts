import assert from "node:assert/strict";
import { AES_GCM, type AesGcm, nodeAesGcm, opensslAesGcm } from "../../lib/seal/aes_gcm.ts";

const openssl = opensslAesGcm();

function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

function seal(gcm: AesGcm, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plain: Uint8Array) {
  const out = new Uint8Array(plain.length);
  const tag = new Uint8Array(16);
  gcm.seal(key, nonce, aad, plain, out, tag);
  return { out, tag };
}

Deno.test("AES_GCM is OpenSSL's on Linux when the tool may load it", () => {
  assert.ok(openssl, "libcrypto loads here (Linux, --allow-ffi)");
  assert.equal(AES_GCM.name, Deno.build.os === "linux" ? "openssl" : "node:crypto");
});

Deno.test("OpenSSL and node:crypto seal to the same bytes, and each opens the other's", () => {
  assert.ok(openssl);
  const key = bytes(16, 7);
  for (const length of [0, 1, 15, 16, 17, 1172, 65_000]) {
    const nonce = bytes(12, length);
    const aad = bytes(20, length + 1);
    const plain = bytes(length, length + 2);
    const a = seal(openssl, key, nonce, aad, plain);
    const b = seal(nodeAesGcm, key, nonce, aad, plain);
    assert.deepEqual(a, b, `${length} bytes`);
    for (const [opener, sealed] of [[openssl, b], [nodeAesGcm, a]] as const) {
      const out = new Uint8Array(length);
      assert.ok(opener.open(key, nonce, aad, sealed.out, sealed.tag, out), opener.name);
      assert.deepEqual(out, plain);
    }
  }
});

Deno.test("OpenSSL refuses a changed body, aad, tag or nonce, and a wrong key, then opens a good one", () => {
  assert.ok(openssl);
  const key = bytes(16, 1);
  const nonce = bytes(12, 2);
  const aad = bytes(20, 3);
  const plain = bytes(100, 4);
  const { out: body, tag } = seal(openssl, key, nonce, aad, plain);
  const flip = (b: Uint8Array, i: number) => {
    const c = b.slice();
    c[i] ^= 1;
    return c;
  };
  const out = new Uint8Array(plain.length);
  assert.equal(openssl.open(key, nonce, aad, flip(body, 50), tag, out), false, "body");
  assert.equal(openssl.open(key, nonce, flip(aad, 0), body, tag, out), false, "aad");
  assert.equal(openssl.open(key, nonce, aad, body, flip(tag, 15), out), false, "tag");
  assert.equal(openssl.open(key, flip(nonce, 11), aad, body, tag, out), false, "nonce");
  assert.equal(openssl.open(bytes(16, 9), nonce, aad, body, tag, out), false, "key");
  // A refusal leaves the key's context fit for the next datagram.
  assert.ok(openssl.open(key, nonce, aad, body, tag, out));
  assert.deepEqual(out, plain);
});

Deno.test("OpenSSL refuses buffers of the wrong size rather than reading or writing past them", () => {
  assert.ok(openssl);
  const key = bytes(16, 1);
  const nonce = bytes(12, 2);
  const aad = bytes(20, 3);
  const plain = bytes(100, 4);
  const { out: body, tag } = seal(openssl, key, nonce, aad, plain);
  const out = new Uint8Array(plain.length);
  assert.equal(openssl.open(key, nonce, aad, body, tag.subarray(0, 4), out), false, "short tag");
  assert.equal(openssl.open(key, nonce.subarray(0, 8), aad, body, tag, out), false, "short nonce");
  assert.equal(openssl.open(key, nonce, aad, body, tag, new Uint8Array(10)), false, "short output");
  assert.equal(openssl.open(key.subarray(0, 8), nonce, aad, body, tag, out), false, "short key");
  assert.throws(() => seal(openssl, key, nonce.subarray(0, 4), aad, plain), RangeError);
  assert.ok(openssl.open(key, nonce, aad, body, tag, out));
});
