import assert from "node:assert/strict";
import { CookieSigner } from "../../lib/seal/cookie_signer.ts";
import { AddressProof, type ProvenAddress } from "../../lib/send/address_proof.ts";

const KEY = "127.0.0.1:5000";

Deno.test("AddressProof.prove() takes a fresh cookie made for the address and receiver", () => {
  const signer = new CookieSigner({ maxAgeMs: 10_000 });
  const proof = new AddressProof(signer);
  const cookie = signer.sign(KEY, 7, 1_000);
  const cases: Array<[string, () => number | undefined, number | undefined]> = [
    ["fresh", () => proof.prove(cookie, KEY, 7, 5_000), 1_000],
    ["another address", () => proof.prove(cookie, "127.0.0.1:5001", 7, 5_000), undefined],
    ["another receiver", () => proof.prove(cookie, KEY, 8, 5_000), undefined],
    ["too old", () => proof.prove(cookie, KEY, 7, 11_001), undefined],
  ];
  for (const [name, prove, expected] of cases) assert.equal(prove(), expected, name);
});

Deno.test("AddressProof voids the cookies made before a receiver left the address", () => {
  const signer = new CookieSigner({ maxAgeMs: 10_000 });
  const proof = new AddressProof(signer);
  const before = signer.sign(KEY, 7, 1_000);
  proof.left(KEY, 2_000.5);
  const after = signer.sign(KEY, 7, 3_000);
  assert.equal(proof.prove(before, KEY, 7, 4_000), undefined, "made before the leave");
  assert.equal(proof.prove(after, KEY, 7, 4_000), 3_000, "made after it");
  assert.equal(proof.prove(before, "127.0.0.1:5001", 7, 4_000), undefined, "another address");
  proof.prune(12_001);
  assert.equal(proof.prove(signer.sign(KEY, 7, 2_000), KEY, 7, 12_000), 2_000, "leave forgotten");
});

Deno.test("AddressProof.check() says whether a joined receiver's cookie is fresh, and keeps a newer one", () => {
  const signer = new CookieSigner({ maxAgeMs: 10_000 });
  const proof = new AddressProof(signer);
  const own = signer.sign(KEY, 7, 1_000);
  const peer = (): ProvenAddress => ({ key: KEY, receiver: 7, cookie: own, cookieMadeAt: 1_000 });
  assert.equal(proof.check(peer(), own, 5_000), true, "its own, fresh");
  assert.equal(proof.check(peer(), own, 11_001), false, "its own, old");
  assert.equal(proof.check(peer(), signer.sign(KEY, 8, 1_000), 5_000), undefined, "another's");
  const newer = signer.sign(KEY, 7, 4_000);
  const joined = peer();
  assert.equal(proof.check(joined, newer, 5_000), true, "a newer one made for it");
  assert.deepEqual([joined.cookie, joined.cookieMadeAt], [newer, 4_000], "becomes its cookie");
});
